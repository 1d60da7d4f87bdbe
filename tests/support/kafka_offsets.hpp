#pragma once
// How far a Kafka topic goes and how far a consumer group has got through it, read with
// librdkafka directly: no group membership, so the group under test is not disturbed. For
// waiting on the broker's state instead of waiting for quiet.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eventstore/kafka.hpp"

namespace lms::test {

// Per partition, an offset: the next message's (end offsets) or the next one a group will read.
using PartitionOffsets = std::map<std::int32_t, std::int64_t>;

// Every partition of the topic with the offset its next message will get (its high watermark).
PartitionOffsets endOffsets(const std::string& brokers, const std::string& topic);

// The offsets `group` has committed on these partitions of the topic; a partition without a
// commit is absent.
PartitionOffsets committedOffsets(const std::string& brokers, const std::string& group, const std::string& topic,
                                  const PartitionOffsets& partitions);

// True when the group has committed at least `ends` on every partition: it has handled every
// message below them.
bool committedUpTo(const std::string& brokers, const std::string& group, const std::string& topic,
                   const PartitionOffsets& ends);

// Every message of the topics from the beginning to the end offsets they have when called.
// Throws when they cannot be read within the timeout.
std::vector<kafka::IncomingMessage> readToEnd(const std::string& brokers, const std::vector<std::string>& topics,
                                              std::chrono::milliseconds timeout);

}  // namespace lms::test
