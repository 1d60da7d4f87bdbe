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

}  // namespace lms::test
