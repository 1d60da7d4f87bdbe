#pragma once
// A small decider used by the store's tests: a counter that refuses to go below zero.
#include "domain/core/decider.hpp"

namespace lms::test {

struct Counter {
    struct State {
        bool exists = false;
        long value = 0;
    };
    struct Command {
        long delta = 0;
    };
    static State initial() { return {}; }
    static State evolve(const State& s, const domain::DomainEvent& e) {
        State n = s;
        n.exists = true;
        if (e.type == "CounterChanged") n.value += e.data.at("delta").get<long>();
        return n;
    }
    static domain::Decision decide(const State& s, const Command& c) {
        if (c.delta == 0) return std::vector<domain::DomainEvent>{};
        if (s.value + c.delta < 0) {
            return unexpected(domain::DomainError{domain::DomainError::Kind::Conflict, "negative_counter",
                                                  "the counter cannot go below zero", "delta"});
        }
        return std::vector<domain::DomainEvent>{{"CounterChanged", 1, {{"delta", c.delta}}}};
    }
};
static_assert(domain::Decider<Counter>);

}  // namespace lms::test
