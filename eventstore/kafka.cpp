#include "eventstore/kafka.hpp"

#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "common/ids.hpp"

namespace lms::kafka {
namespace {

rd_kafka_conf_t* makeConf(const std::string& brokers, const Properties& props) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    auto set = [&](const std::string& k, const std::string& v) {
        if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            throw Error("kafka setting " + k + ": " + err);
        }
    };
    if (!brokers.empty()) set("bootstrap.servers", brokers);
    set("log_level", "3");
    for (const auto& [k, v] : props) set(k, v);
    return conf;
}

rd_kafka_t* make(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);  // takes ownership of conf on success
    if (rk == nullptr) {
        rd_kafka_conf_destroy(conf);
        throw Error(std::string("cannot create kafka client: ") + err);
    }
    return rk;
}

}  // namespace

EmbeddedCluster::EmbeddedCluster(int brokers) {
    rk_ = make(RD_KAFKA_PRODUCER, makeConf("", {}));
    cluster_ = rd_kafka_mock_cluster_new(rk_, brokers);
    if (cluster_ == nullptr) {
        rd_kafka_destroy(rk_);
        throw Error("cannot start the embedded Kafka cluster");
    }
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

EmbeddedCluster::~EmbeddedCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(rk_);
}

Producer::Producer(const std::string& brokers, const Properties& extra) {
    Properties p{{"enable.idempotence", "true"}, {"linger.ms", "5"}, {"message.timeout.ms", "30000"}};
    for (const auto& [k, v] : extra) p[k] = v;
    rd_kafka_conf_t* conf = makeConf(brokers, p);
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, &Producer::onDelivery);
    rk_ = make(RD_KAFKA_PRODUCER, conf);
}

Producer::~Producer() {
    // Every send waits for its acknowledgement (sendAll): what is left here is a straggler at most.
    if (rd_kafka_flush(rk_, 5000) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
        spdlog::warn("kafka: {} message(s) or request(s) still outstanding 5 s into the producer's shutdown",
                     rd_kafka_outq_len(rk_));
    }
    rd_kafka_destroy(rk_);
}

void Producer::onDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Producer*>(opaque);
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) self->failed_.fetch_add(1);
    self->pending_.fetch_sub(1);
}

std::size_t Producer::sendAll(const std::vector<OutgoingMessage>& messages, std::chrono::milliseconds timeout) {
    failed_ = 0;
    pending_ = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t notQueued = 0;
    for (const auto& m : messages) {
        rd_kafka_headers_t* hdrs = rd_kafka_headers_new(m.headers.size());
        for (const auto& [k, v] : m.headers) {
            rd_kafka_header_add(hdrs, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                                static_cast<ssize_t>(v.size()));
        }
        for (;;) {
            pending_.fetch_add(1);
            const rd_kafka_resp_err_t err = rd_kafka_producev(
                rk_, RD_KAFKA_V_TOPIC(m.topic.c_str()), RD_KAFKA_V_KEY(const_cast<char*>(m.key.data()), m.key.size()),
                RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;  // the message owns the headers now
            pending_.fetch_sub(1);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && std::chrono::steady_clock::now() < deadline) {
                rd_kafka_poll(rk_, 50);
                continue;
            }
            rd_kafka_headers_destroy(hdrs);
            ++notQueued;
            break;
        }
    }
    while (pending_.load() > 0 && std::chrono::steady_clock::now() < deadline) rd_kafka_poll(rk_, 50);
    return failed_.load() + notQueued + pending_.load();
}

Consumer::Consumer(const std::string& brokers, const std::string& groupId, const std::vector<std::string>& topics,
                   const Properties& extra, Mode mode) {
    Properties p{{"group.id", groupId},
                 {"auto.offset.reset", "earliest"},
                 {"enable.auto.commit", "false"},
                 {"topic.metadata.refresh.interval.ms", "1000"}};
    for (const auto& [k, v] : extra) p[k] = v;
    rk_ = make(RD_KAFKA_CONSUMER, makeConf(brokers, p));
    rd_kafka_poll_set_consumer(rk_);
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (mode == Mode::Subscribe) {
        for (const auto& t : topics) rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
        err = rd_kafka_subscribe(rk_, list);
    } else {
        for (const auto& t : topics) {
            rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, t.c_str(), nullptr);
            const rd_kafka_metadata_t* md = nullptr;
            err = rd_kafka_metadata(rk_, 0, rkt, &md, 10000);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
                for (int i = 0; i < md->topics[0].partition_cnt; ++i) {
                    rd_kafka_topic_partition_list_add(list, t.c_str(), md->topics[0].partitions[i].id)->offset =
                        RD_KAFKA_OFFSET_BEGINNING;
                }
            }
            if (md != nullptr) rd_kafka_metadata_destroy(md);
            rd_kafka_topic_destroy(rkt);
            if (err != RD_KAFKA_RESP_ERR_NO_ERROR) break;
        }
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = rd_kafka_assign(rk_, list);
    }
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_destroy(rk_);
        throw Error(std::string("cannot consume: ") + rd_kafka_err2str(err));
    }
}

Consumer::~Consumer() {
    // Leave the group and commit what the group protocol still holds, but for 2 s at most: a
    // coordinator that does not answer (a rebalance waiting out a member that died) held a
    // shutdown for 5 s and more. Whatever was not committed is delivered again, and every
    // consumer here is idempotent.
    constexpr auto kCloseWait = std::chrono::seconds(2);
    bool closed = false;
    rd_kafka_queue_t* queue = rd_kafka_queue_new(rk_);
    if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(rk_, queue); error != nullptr) {
        rd_kafka_error_destroy(error);
    } else {
        const auto deadline = std::chrono::steady_clock::now() + kCloseWait;
        while (!(closed = rd_kafka_consumer_closed(rk_) != 0) && std::chrono::steady_clock::now() < deadline) {
            if (rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 100); event != nullptr)
                rd_kafka_event_destroy(event);
        }
    }
    rd_kafka_queue_destroy(queue);
    if (closed) {
        rd_kafka_destroy(rk_);
    } else {
        spdlog::warn("kafka: the consumer did not leave its group within {} s; stopping without it", kCloseWait.count());
        rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }
}

bool Consumer::poll(IncomingMessage& out, std::chrono::milliseconds timeout) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, static_cast<int>(timeout.count()));
    if (m == nullptr) return false;
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> guard(m, &rd_kafka_message_destroy);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return false;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (rd_kafka_fatal_error(rk_, nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            throw Error(std::string("kafka consumer: ") + rd_kafka_message_errstr(m));
        }
        return false;
    }
    out.topic = rd_kafka_topic_name(m->rkt);
    out.partition = m->partition;
    out.offset = m->offset;
    out.key.assign(static_cast<const char*>(m->key), m->key_len);
    out.value.assign(static_cast<const char*>(m->payload), m->len);
    out.headers.clear();
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* val = nullptr;
        size_t size = 0;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
            out.headers[name] = std::string(static_cast<const char*>(val), size);
        }
    }
    return true;
}

void Consumer::commit() { rd_kafka_commit(rk_, nullptr, 0); }

void Consumer::commit(const IncomingMessage& handled, bool async) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, handled.topic.c_str(), handled.partition)->offset = handled.offset + 1;
    const rd_kafka_resp_err_t err = rd_kafka_commit(rk_, list, async ? 1 : 0);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw Error(std::string("cannot commit the offset: ") + rd_kafka_err2str(err));
}

bool ping(const std::string& brokers, std::chrono::milliseconds timeout, std::string& error) {
    try {
        rd_kafka_t* rk = make(RD_KAFKA_PRODUCER, makeConf(brokers, {}));
        const rd_kafka_metadata_t* md = nullptr;
        const auto err = rd_kafka_metadata(rk, 0, nullptr, &md, static_cast<int>(timeout.count()));
        if (md != nullptr) rd_kafka_metadata_destroy(md);
        rd_kafka_destroy(rk);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            error = rd_kafka_err2str(err);
            return false;
        }
        return true;
    } catch (const Error& e) {
        error = e.what();
        return false;
    }
}

namespace {

// Per partition of the topic, its first and next offsets (low and high watermarks).
std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> watermarks(const std::string& brokers,
                                                                         const std::string& topic,
                                                                         std::chrono::milliseconds timeout) {
    const int ms = static_cast<int>(timeout.count());
    // A consumer handle that never subscribes (and commits nothing): it only asks the cluster.
    std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> rk(
        make(RD_KAFKA_CONSUMER, makeConf(brokers, {{"group.id", "lms-offsets-" + newUuid()},
                                                   {"enable.auto.commit", "false"},
                                                   {"allow.auto.create.topics", "false"}})),
        &rd_kafka_destroy);
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    const auto err = rd_kafka_metadata(rk.get(), 0, rkt, &md, ms);
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw Error("metadata of " + topic + ": " + rd_kafka_err2str(err));
    std::vector<std::int32_t> partitions;
    if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < md->topics[0].partition_cnt; ++i) partitions.push_back(md->topics[0].partitions[i].id);
    }
    rd_kafka_metadata_destroy(md);
    std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> out;
    for (const auto p : partitions) {
        std::int64_t low = 0, high = 0;
        const auto e = rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high, ms);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) throw Error("end offset of " + topic + ": " + rd_kafka_err2str(e));
        out[p] = {low, high};
    }
    return out;
}

}  // namespace

PartitionOffsets endOffsets(const std::string& brokers, const std::string& topic, std::chrono::milliseconds timeout) {
    PartitionOffsets out;
    for (const auto& [p, marks] : watermarks(brokers, topic, timeout)) out[p] = marks.second;
    return out;
}

std::vector<IncomingMessage> readToEnd(const std::string& brokers, const std::vector<std::string>& topics,
                                       std::chrono::milliseconds timeout) {
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> left;  // partition -> its end offset
    std::vector<std::string> nonEmpty;
    for (const auto& t : topics) {
        for (const auto& [p, marks] : watermarks(brokers, t, timeout)) {
            if (marks.first < marks.second) left[{t, p}] = marks.second;  // not empty (nor emptied by retention)
        }
        if (std::any_of(left.begin(), left.end(), [&](const auto& e) { return e.first.first == t; }))
            nonEmpty.push_back(t);
    }
    std::vector<IncomingMessage> out;
    if (left.empty()) return out;
    Consumer consumer(brokers, "lms-read-to-end-" + newUuid(), nonEmpty, {}, Consumer::Mode::AssignFromStart);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    IncomingMessage m;
    while (!left.empty()) {
        if (std::chrono::steady_clock::now() > deadline) {
            throw Error("timed out reading " + std::to_string(left.size()) + " partition(s) to their end");
        }
        if (!consumer.poll(m, std::chrono::milliseconds(200))) continue;
        const auto it = left.find({m.topic, m.partition});
        if (it == left.end() || m.offset >= it->second) continue;  // published after the call
        if (m.offset + 1 >= it->second) left.erase(it);
        out.push_back(m);
    }
    return out;
}

}  // namespace lms::kafka
