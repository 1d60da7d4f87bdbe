#include "domain/core/event.hpp"

#include <array>
#include <utility>

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

std::string contextOfStream(const std::string& streamId) {
    static constexpr std::array<std::pair<const char*, const char*>, 12> kCategories{{
        {"user", "identity"},
        {"session", "identity"},
        {"course", "catalog"},
        {"enrollment", "enrollment"},
        {"payment", "payments"},
        {"checkout", "payments"},
        {"progress", "progress"},
        {"certificate", "certificates"},
        {"live", "live"},
        {"notification", "notifications"},
        {"mail", "notifications"},
        {"submission", "submissions"},
    }};
    const auto dash = streamId.find('-');
    const std::string category = streamId.substr(0, dash);
    for (const auto& [cat, ctx] : kCategories) {
        if (category == cat) return ctx;
    }
    // A category that no context claims yet keeps its own name, so that nothing is ever dropped.
    std::string out;
    for (char c : category) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        out.push_back(ok ? c : '_');
    }
    return out.empty() ? "misc" : out;
}

}  // namespace lms::domain
