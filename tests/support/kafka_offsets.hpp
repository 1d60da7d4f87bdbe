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

using kafka::endOffsets;
using kafka::PartitionOffsets;
using kafka::readToEnd;

// The offsets `group` has committed on these partitions of the topic; a partition without a
// commit is absent.
PartitionOffsets committedOffsets(const std::string& brokers, const std::string& group, const std::string& topic,
                                  const PartitionOffsets& partitions);

// True when the group has committed at least `ends` on every partition: it has handled every
// message below them.
bool committedUpTo(const std::string& brokers, const std::string& group, const std::string& topic,
                   const PartitionOffsets& ends);

}  // namespace lms::test
