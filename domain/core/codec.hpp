#pragma once
// Typed events and their JSON codec, in one place per context. An event type is a plain struct:
//
//   struct UserBanned {
//       static constexpr std::string_view kType = "UserBanned";  // stable, never reused
//       static constexpr int kSchemaVersion = 1;                 // bump when the data's meaning changes
//       std::string reason;
//       std::int64_t at = 0;
//       nlohmann::json toJson() const;
//       static UserBanned fromJson(const nlohmann::json& data);
//       // optional: older stored versions brought up to kSchemaVersion, one step at a time
//       static nlohmann::json upcast(int fromVersion, nlohmann::json data);
//   };
//
// A context lists its events once, `using UserEvents = EventCodec<UserRegistered, ...>`, and
// decides and folds `UserEvents::Event` (a std::variant) with std::visit, so that an event or a
// command nobody handles fails to compile. Stored events are never rewritten: an old schema
// version is upcast when it is read.
#include <concepts>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "domain/core/event.hpp"

namespace lms::domain {

template <class E>
concept EventType = requires(const E& e, const nlohmann::json& j) {
    { E::kType } -> std::convertible_to<std::string_view>;
    { E::kSchemaVersion } -> std::convertible_to<int>;
    { e.toJson() } -> std::convertible_to<nlohmann::json>;
    { E::fromJson(j) } -> std::same_as<E>;
};

template <class E>
concept Upcastable = requires(int from, nlohmann::json j) {
    { E::upcast(from, std::move(j)) } -> std::convertible_to<nlohmann::json>;
};

// A stored event that this build cannot read: a schema version newer than it knows, or an older
// one without an upcaster. Broken data, not an expected failure: it throws.
class SchemaVersionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Lets std::visit take a set of lambdas, one per alternative.
template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

template <EventType... Es>
class EventCodec {
public:
    using Event = std::variant<Es...>;

    template <class E>
    requires(std::same_as<E, Es> || ...) static DomainEvent encode(const E& e) {
        return DomainEvent{std::string(E::kType), E::kSchemaVersion, e.toJson()};
    }
    static DomainEvent encode(const Event& e) {
        return std::visit([](const auto& x) { return encode(x); }, e);
    }
    // The typed event, or nothing for a type this codec does not list (another context's, or a
    // newer one this build does not know: folding skips it).
    static std::optional<Event> decode(const DomainEvent& e) {
        std::optional<Event> out;
        (void)((e.type == Es::kType ? (out.emplace(decodeAs<Es>(e)), true) : false) || ...);
        return out;
    }
    static bool knows(std::string_view type) { return ((type == Es::kType) || ...); }

private:
    template <class E>
    static E decodeAs(const DomainEvent& e) {
        if (e.schemaVersion == E::kSchemaVersion) return E::fromJson(e.data);
        if constexpr (Upcastable<E>) {
            if (e.schemaVersion > 0 && e.schemaVersion < E::kSchemaVersion) {
                nlohmann::json data = e.data;
                for (int v = e.schemaVersion; v < E::kSchemaVersion; ++v) data = E::upcast(v, std::move(data));
                return E::fromJson(data);
            }
        }
        throw SchemaVersionError(e.type + " has schema version " + std::to_string(e.schemaVersion) +
                                 "; this build reads version " + std::to_string(E::kSchemaVersion) +
                                 (Upcastable<E> ? " and upcasts older ones" : " only"));
    }
};

// What an aggregate whose events have a codec derives from: folding a stored event decodes it and
// hands the typed event to the aggregate's own `evolve(State, Codec::Event)`; an event of a type
// the codec does not list leaves the state as it is.
//
//   struct User : EventSourced<User, UserEvents> {
//       using EventSourced::evolve;
//       static State evolve(State s, const UserEvents::Event& e);  // std::visit over the events
//   };
template <class Self, class Codec>
struct EventSourced {
    using Events = Codec;
    template <class State>
    static State evolve(const State& s, const DomainEvent& e) {
        const auto event = Codec::decode(e);
        return event ? Self::evolve(s, *event) : s;
    }
};

// Lenient readers of event data: a field that is absent or of another type reads as empty, as
// a personal field does once its owner's key is shredded (it opens to null).
namespace fields {
inline std::string text(const nlohmann::json& d, const char* key) {
    const auto it = d.find(key);
    return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
}
inline std::optional<std::string> optionalText(const nlohmann::json& d, const char* key) {
    if (!d.contains(key)) return std::nullopt;
    return text(d, key);
}
inline std::int64_t integer(const nlohmann::json& d, const char* key) {
    const auto it = d.find(key);
    return it != d.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}
}  // namespace fields

}  // namespace lms::domain
