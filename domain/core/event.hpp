#pragma once
// The shapes every bounded context shares: stream ids and versions, the event a decision emits,
// the event as recorded, and the metadata that makes the store an audit log.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "domain/core/named_type.hpp"

namespace lms::domain {

using StreamId = NamedType<std::string, struct StreamIdTag>;
// Versions count a stream's events from 1; a stream that does not exist is at version 0.
using StreamVersion = NamedType<std::int64_t, struct StreamVersionTag>;

// What a command's decision produces: a stable type name, its schema version and its data.
struct DomainEvent {
    std::string type;
    int schemaVersion = 1;
    nlohmann::json data;
};

// Who did it and why: the actor, the request (correlation) and the event or command that caused it.
struct Metadata {
    std::string actorId;
    std::string correlationId;
    std::string causationId;
    nlohmann::json toJson() const;
    static Metadata fromJson(const nlohmann::json& j);
};

}  // namespace lms::domain
