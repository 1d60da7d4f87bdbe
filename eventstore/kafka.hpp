#pragma once
// Small RAII wrappers over librdkafka's C API: an idempotent producer that reports delivery, a
// consumer, and the embedded mock cluster (a real Kafka-protocol broker living in memory).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lms::kafka {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Properties = std::map<std::string, std::string>;

// librdkafka's mock cluster: listens on localhost and speaks the Kafka protocol to any client
// (kcat included). Everything it holds is in memory and gone when it stops.
class EmbeddedCluster {
public:
    explicit EmbeddedCluster(int brokers = 1);
    ~EmbeddedCluster();
    EmbeddedCluster(const EmbeddedCluster&) = delete;
    EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;
    const std::string& bootstrapServers() const { return bootstraps_; }

private:
    rd_kafka_t* rk_ = nullptr;
    rd_kafka_mock_cluster_t* cluster_ = nullptr;
    std::string bootstraps_;
};

struct OutgoingMessage {
    std::string topic;
    std::string key;
    std::string value;
    std::vector<std::pair<std::string, std::string>> headers;
};

// The idempotent producer: per-partition order and no duplicates from its own retries.
class Producer {
public:
    explicit Producer(const std::string& brokers, const Properties& extra = {});
    ~Producer();
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    // Sends every message and waits for every delivery report; returns the number of messages
    // that failed (0 means all were acknowledged by the broker). Gives up waiting after timeout.
    std::size_t sendAll(const std::vector<OutgoingMessage>& messages, std::chrono::milliseconds timeout);

private:
    static void onDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);
    rd_kafka_t* rk_ = nullptr;
    std::atomic<std::size_t> failed_{0};
    std::atomic<std::size_t> pending_{0};
};

struct IncomingMessage {
    std::string topic;
    int partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string value;
    std::map<std::string, std::string> headers;
};

// A consumer. Either a consumer-group member (subscribe; topics starting with '^' are regular
// expressions), or, with Mode::AssignFromStart, a reader of every partition of the named topics
// from the beginning with no group coordination at all (tests, tools).
class Consumer {
public:
    enum class Mode { Subscribe, AssignFromStart };
    Consumer(const std::string& brokers, const std::string& groupId, const std::vector<std::string>& topics,
             const Properties& extra = {}, Mode mode = Mode::Subscribe);
    ~Consumer();
    Consumer(const Consumer&) = delete;
    Consumer& operator=(const Consumer&) = delete;
    // Returns the next message, or nothing after timeout. Throws on a fatal consumer error.
    bool poll(IncomingMessage& out, std::chrono::milliseconds timeout);
    void commit();
    // Commits the offset after `handled`, so that a restarted member of the group resumes with the
    // next message. Synchronous: throws Error when the broker refuses the commit. Asynchronous:
    // returns at once, and a failed commit only means that the message may be delivered again.
    void commit(const IncomingMessage& handled, bool async = false);

private:
    rd_kafka_t* rk_ = nullptr;
};

// Per partition, an offset: the next message's (end offsets) or the next one a group will read.
using PartitionOffsets = std::map<std::int32_t, std::int64_t>;

// Every partition of the topic with the offset its next message will get (its high watermark);
// nothing for a topic that does not exist. Asks the cluster without joining any group. Throws
// Error when the cluster does not answer within the timeout.
PartitionOffsets endOffsets(const std::string& brokers, const std::string& topic,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Every message of the topics from their start to the end offsets they have when called (what
// is published meanwhile is left out), so that a reader knows when it has seen everything
// instead of waiting for quiet. Throws Error when they cannot be read within the timeout.
std::vector<IncomingMessage> readToEnd(const std::string& brokers, const std::vector<std::string>& topics,
                                       std::chrono::milliseconds timeout);

// True when a broker answers a metadata request within the timeout (used by /health).
bool ping(const std::string& brokers, std::chrono::milliseconds timeout, std::string& error);

}  // namespace lms::kafka
