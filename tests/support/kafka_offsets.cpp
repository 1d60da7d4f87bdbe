#include "tests/support/kafka_offsets.hpp"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <stdexcept>

#include "common/ids.hpp"

namespace lms::test {
namespace {

constexpr int kTimeoutMs = 10000;

// A consumer handle that never subscribes: it only asks the cluster.
std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> client(const std::string& brokers, const std::string& group) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    const std::map<std::string, std::string> props{
        {"bootstrap.servers", brokers}, {"group.id", group}, {"enable.auto.commit", "false"}};
    for (const auto& [k, v] : props) {
        if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            throw std::runtime_error(err);
        }
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (rk == nullptr) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(err);
    }
    return {rk, &rd_kafka_destroy};
}

void check(rd_kafka_resp_err_t err, const std::string& what) {
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(what + ": " + rd_kafka_err2str(err));
}

}  // namespace

PartitionOffsets endOffsets(const std::string& brokers, const std::string& topic) {
    auto rk = client(brokers, "offsets-" + newUuid());
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    const auto err = rd_kafka_metadata(rk.get(), 0, rkt, &md, kTimeoutMs);
    rd_kafka_topic_destroy(rkt);
    check(err, "metadata of " + topic);
    std::vector<std::int32_t> partitions;
    if (md->topic_cnt == 1) {
        for (int i = 0; i < md->topics[0].partition_cnt; ++i) partitions.push_back(md->topics[0].partitions[i].id);
    }
    rd_kafka_metadata_destroy(md);
    PartitionOffsets out;
    for (const auto p : partitions) {
        std::int64_t low = 0, high = 0;
        check(rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high, kTimeoutMs),
              "end offset of " + topic);
        out[p] = high;
    }
    return out;
}

PartitionOffsets committedOffsets(const std::string& brokers, const std::string& group, const std::string& topic,
                                  const PartitionOffsets& partitions) {
    auto rk = client(brokers, group);
    std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)> list(
        rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())), &rd_kafka_topic_partition_list_destroy);
    for (const auto& [p, offset] : partitions) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
    check(rd_kafka_committed(rk.get(), list.get(), kTimeoutMs), "committed offsets of " + group);
    PartitionOffsets out;
    for (int i = 0; i < list->cnt; ++i) {
        const auto& e = list->elems[i];
        if (e.err == RD_KAFKA_RESP_ERR_NO_ERROR && e.offset >= 0) out[e.partition] = e.offset;
    }
    return out;
}

bool committedUpTo(const std::string& brokers, const std::string& group, const std::string& topic,
                   const PartitionOffsets& ends) {
    const auto committed = committedOffsets(brokers, group, topic, ends);
    for (const auto& [p, end] : ends) {
        if (end == 0) continue;  // an empty partition has nothing to commit
        const auto it = committed.find(p);
        if (it == committed.end() || it->second < end) return false;
    }
    return true;
}

std::vector<kafka::IncomingMessage> readToEnd(const std::string& brokers, const std::vector<std::string>& topics,
                                              std::chrono::milliseconds timeout) {
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> left;  // partition -> its end offset
    for (const auto& t : topics) {
        for (const auto& [p, end] : endOffsets(brokers, t)) {
            if (end > 0) left[{t, p}] = end;
        }
    }
    std::vector<kafka::IncomingMessage> out;
    kafka::Consumer consumer(brokers, "read-to-end-" + newUuid(), topics, {}, kafka::Consumer::Mode::AssignFromStart);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    kafka::IncomingMessage m;
    while (!left.empty()) {
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("timed out reading " + std::to_string(left.size()) + " partitions to their end");
        }
        if (!consumer.poll(m, std::chrono::milliseconds(200))) continue;
        const auto it = left.find({m.topic, m.partition});
        if (it == left.end() || m.offset >= it->second) continue;  // published after the call
        if (m.offset + 1 == it->second) left.erase(it);
        out.push_back(m);
    }
    return out;
}

}  // namespace lms::test
