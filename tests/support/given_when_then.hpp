#pragma once
// Given these events, when this command, then these events or this refusal: a decider tested
// through its public face alone (initial, evolve, decide), as its stream would see it.
//
//   given<Session>({started}).when(RotateRefreshToken{...}).then({{"SessionRefreshed", {...}}});
//   given<User>({registered, banned}).when(ChangePassword{...}).thenRefused("user_banned");
//
// then() compares each decided event's type and whole data; it returns the scenario with those
// events appended to the history, so that a story goes on: .then({...}).when(...).then({...}).
// Failures are reported at the line of the then() that failed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "domain/core/decider.hpp"

namespace lms::test {

// An event a decision is expected to emit.
struct Emitted {
    std::string type;
    nlohmann::json data;
};

// Where an expectation was written: the caller's file and line (__builtin_FILE/__builtin_LINE as
// default arguments, which g++ and clang both take; clang 14 cannot read std::source_location
// from libstdc++ 12, and clang-tidy runs on clang 14).
struct Place {
    const char* file;
    int line;
};

template <domain::Decider D>
class Scenario {
public:
    explicit Scenario(std::vector<domain::DomainEvent> history) : history_(std::move(history)) {}

    Scenario when(typename D::Command command) const {
        Scenario next(history_);
        next.command_ = std::move(command);
        return next;
    }

    // The decision emits exactly these events, in this order ({} for none).
    Scenario then(const std::vector<Emitted>& expected, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE()) const {
        const Place at{file, line};
        auto decision = decide(at);
        if (!decision) return *this;
        if (!decision->has_value()) {
            fail(at,
                 "expected " + describe(expected) + "\n  but the command was refused: " + describe(decision->error()));
            return *this;
        }
        const auto& events = decision->value();
        bool same = events.size() == expected.size();
        for (std::size_t i = 0; same && i < events.size(); ++i) {
            same = events[i].type == expected[i].type && events[i].data == expected[i].data;
        }
        if (!same) fail(at, "expected " + describe(expected) + "\n  but decided " + describe(events));
        auto history = history_;
        history.insert(history.end(), events.begin(), events.end());
        return Scenario(std::move(history));
    }

    // The decision refuses the command with this error code.
    Scenario thenRefused(const std::string& code, const char* file = __builtin_FILE(),
                         int line = __builtin_LINE()) const {
        const Place at{file, line};
        auto decision = decide(at);
        if (!decision) return *this;
        if (decision->has_value()) {
            fail(at, "expected a refusal with code " + code + "\n  but decided " + describe(decision->value()));
        } else if (decision->error().code != code) {
            fail(at,
                 "expected a refusal with code " + code + "\n  but it was refused with " + describe(decision->error()));
        }
        return Scenario(history_);
    }

private:
    // Reported at the line where the expectation was written, not here.
    static void fail(const Place& at, const std::string& message) { ADD_FAILURE_AT(at.file, at.line) << message; }

    std::optional<domain::Decision> decide(const Place& at) const {
        if (!command_) {
            fail(at, "then without a when");
            return std::nullopt;
        }
        auto state = D::initial();
        for (const auto& e : history_) state = D::evolve(state, e);
        return D::decide(state, *command_);
    }

    template <class Events>  // Emitted or DomainEvent
    static std::string describe(const Events& events) {
        if (events.empty()) return "no events";
        std::ostringstream out;
        for (const auto& e : events) out << "\n    " << e.type << " " << e.data.dump();
        return out.str();
    }
    static std::string describe(const domain::DomainError& e) { return e.code + " (" + e.message + ")"; }

    std::vector<domain::DomainEvent> history_;
    std::optional<typename D::Command> command_;
};

template <domain::Decider D>
Scenario<D> given(std::vector<domain::DomainEvent> history) {
    return Scenario<D>(std::move(history));
}

}  // namespace lms::test
