#include "domain/core/event.hpp"

namespace lms::domain {

nlohmann::json Metadata::toJson() const {
    nlohmann::json j = nlohmann::json::object();
    if (!actorId.empty()) j["actorId"] = actorId;
    if (!correlationId.empty()) j["correlationId"] = correlationId;
    if (!causationId.empty()) j["causationId"] = causationId;
    return j;
}

Metadata Metadata::fromJson(const nlohmann::json& j) {
    Metadata m;
    if (!j.is_object()) return m;
    m.actorId = j.value("actorId", "");
    m.correlationId = j.value("correlationId", "");
    m.causationId = j.value("causationId", "");
    return m;
}

}  // namespace lms::domain
