// The catalog's in-memory answers (api/http/answer_cache.hpp): what a reader relies on for them
// to stay exact (a read that raced a clear is never kept) and bounded (by bytes, whatever keys
// hostile clients make).
#include "api/http/answer_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace lms::http {
namespace {

TEST(AnswerCache, KeepsWhatWasReadAndGivesItBack) {
    AnswerCache cache;
    EXPECT_EQ(cache.get("a"), nullptr);
    cache.put("a", {"body", "\"t\"", "owner"}, cache.generation());
    const auto hit = cache.get("a");
    ASSERT_NE(hit, nullptr);
    EXPECT_EQ(hit->body, "body");
    EXPECT_EQ(hit->tag, "\"t\"");
    EXPECT_EQ(hit->owner, "owner");
}

TEST(AnswerCache, AReadThatRacedAClearIsNotKept) {
    AnswerCache cache;
    const auto before = cache.generation();  // the request starts reading the database
    cache.clear();                           // an event commits meanwhile
    cache.put("a", {"stale", "\"s\"", ""}, before);
    EXPECT_EQ(cache.get("a"), nullptr);
    cache.put("a", {"fresh", "\"f\"", ""}, cache.generation());
    ASSERT_NE(cache.get("a"), nullptr);
    EXPECT_EQ(cache.get("a")->body, "fresh");
}

TEST(AnswerCache, AClearForgetsEverything) {
    AnswerCache cache;
    for (int i = 0; i < 10; ++i) cache.put(std::to_string(i), {"b", "t", ""}, cache.generation());
    EXPECT_EQ(cache.size(), 10u);
    cache.clear();
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.bytes(), 0u);
}

TEST(AnswerCache, StaysWithinItsBytesWhateverKeysArrive) {
    AnswerCache cache(64 * 1024);
    const std::string body(1000, 'x');
    for (int i = 0; i < 10'000; ++i) cache.put("q=" + std::to_string(i), {body, "t", ""}, cache.generation());
    EXPECT_LE(cache.bytes(), 64u * 1024);
    EXPECT_GT(cache.size(), 10u);
    // The newest answer is there; the oldest went first.
    EXPECT_NE(cache.get("q=9999"), nullptr);
    EXPECT_EQ(cache.get("q=0"), nullptr);
    // An answer bigger than a quarter of the room is not kept at all.
    cache.put("huge", {std::string(20 * 1024, 'y'), "t", ""}, cache.generation());
    EXPECT_EQ(cache.get("huge"), nullptr);
}

TEST(AnswerCache, ReadersAndClearsFromManyThreadsNeverSeeARaceSurvive) {
    // Writers put the value they read under the generation taken before reading; a clearer moves
    // "the database" on and clears. After every clear no answer older than it may be found.
    AnswerCache cache;
    std::atomic<int> database{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            while (!stop) {
                if (cache.get("k")) continue;
                const auto g = cache.generation();
                const int read = database.load();
                cache.put("k", {std::to_string(read), "t", ""}, g);
            }
        });
    }
    for (int i = 0; i < 2000; ++i) {
        database.fetch_add(1);  // the commit
        cache.clear();          // then its event reaches the cache
        if (const auto hit = cache.get("k")) {
            EXPECT_EQ(std::stoi(hit->body), database.load()) << "an answer read before the last clear survived it";
        }
    }
    stop = true;
    for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace lms::http
