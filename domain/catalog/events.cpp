#include "domain/catalog/events.hpp"

namespace lms::domain::catalog {

using fields::integer;
using fields::optionalText;
using fields::text;
using nlohmann::json;

namespace {

std::vector<std::string> strings(const json& d, const char* key) {
    std::vector<std::string> out;
    const auto it = d.find(key);
    if (it == d.end() || !it->is_array()) return out;
    for (const auto& v : *it) {
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
}
std::optional<std::vector<std::string>> optionalStrings(const json& d, const char* key) {
    if (!d.contains(key)) return std::nullopt;
    return strings(d, key);
}
std::optional<std::int64_t> optionalInteger(const json& d, const char* key) {
    if (!d.contains(key)) return std::nullopt;
    return integer(d, key);
}
bool boolean(const json& d, const char* key) {
    const auto it = d.find(key);
    return it != d.end() && it->is_boolean() && it->get<bool>();
}
std::optional<bool> optionalBoolean(const json& d, const char* key) {
    if (!d.contains(key)) return std::nullopt;
    return boolean(d, key);
}
template <class T>
void put(json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

json detailsJson(const CourseDetails& d) {
    return {{"title", d.title},       {"description", d.description}, {"price", d.price}, {"currency", d.currency},
            {"category", d.category}, {"difficulty", d.difficulty},   {"tags", d.tags}};
}
CourseDetails detailsFrom(const json& d) {
    return {text(d, "title"),    text(d, "description"), integer(d, "price"), text(d, "currency"),
            text(d, "category"), text(d, "difficulty"),  strings(d, "tags")};
}

}  // namespace

const char* toString(CourseStatus s) {
    switch (s) {
        case CourseStatus::InReview: return "IN_REVIEW";
        case CourseStatus::Published: return "PUBLISHED";
        case CourseStatus::Rejected: return "REJECTED";
        case CourseStatus::Deleted: return "DELETED";
        case CourseStatus::Draft: break;
    }
    return "DRAFT";
}

std::optional<CourseStatus> courseStatusFrom(std::string_view s) {
    for (auto st : {CourseStatus::Draft, CourseStatus::InReview, CourseStatus::Published, CourseStatus::Rejected,
                    CourseStatus::Deleted}) {
        if (s == toString(st)) return st;
    }
    return std::nullopt;
}

json CourseCreated::toJson() const {
    json j = detailsJson(details);
    j["courseId"] = courseId.value();
    j["instructorId"] = instructorId;
    j["slug"] = slug;
    j["at"] = at;
    return j;
}
CourseCreated CourseCreated::fromJson(const json& d) {
    return {CourseId(text(d, "courseId")), text(d, "instructorId"), text(d, "slug"), detailsFrom(d), integer(d, "at")};
}

json CourseUpdated::toJson() const {
    json j = json::object();
    put(j, "title", title);
    put(j, "slug", slug);
    put(j, "description", description);
    put(j, "price", price);
    put(j, "currency", currency);
    put(j, "category", category);
    put(j, "difficulty", difficulty);
    put(j, "tags", tags);
    j["at"] = at;
    return j;
}
CourseUpdated CourseUpdated::fromJson(const json& d) {
    CourseUpdated u;
    u.title = optionalText(d, "title");
    u.slug = optionalText(d, "slug");
    u.description = optionalText(d, "description");
    u.currency = optionalText(d, "currency");
    u.category = optionalText(d, "category");
    u.difficulty = optionalText(d, "difficulty");
    u.price = optionalInteger(d, "price");
    u.tags = optionalStrings(d, "tags");
    u.at = integer(d, "at");
    return u;
}

json CourseSubmitted::toJson() const { return {{"at", at}}; }
CourseSubmitted CourseSubmitted::fromJson(const json& d) { return {integer(d, "at")}; }
json CourseApproved::toJson() const { return {{"at", at}}; }
CourseApproved CourseApproved::fromJson(const json& d) { return {integer(d, "at")}; }
json CourseRejected::toJson() const { return {{"reason", reason}, {"at", at}}; }
CourseRejected CourseRejected::fromJson(const json& d) { return {text(d, "reason"), integer(d, "at")}; }
json CourseUnpublished::toJson() const { return {{"at", at}}; }
CourseUnpublished CourseUnpublished::fromJson(const json& d) { return {integer(d, "at")}; }
json CourseDeleted::toJson() const { return {{"at", at}}; }
CourseDeleted CourseDeleted::fromJson(const json& d) { return {integer(d, "at")}; }

json SectionAdded::toJson() const {
    return {{"sectionId", sectionId.value()}, {"title", title}, {"order", order}, {"at", at}};
}
SectionAdded SectionAdded::fromJson(const json& d) {
    return {SectionId(text(d, "sectionId")), text(d, "title"), integer(d, "order"), integer(d, "at")};
}
json SectionUpdated::toJson() const {
    json j{{"sectionId", sectionId.value()}};
    put(j, "title", title);
    put(j, "order", order);
    j["at"] = at;
    return j;
}
SectionUpdated SectionUpdated::fromJson(const json& d) {
    return {SectionId(text(d, "sectionId")), optionalText(d, "title"), optionalInteger(d, "order"), integer(d, "at")};
}
json SectionRemoved::toJson() const { return {{"sectionId", sectionId.value()}, {"at", at}}; }
SectionRemoved SectionRemoved::fromJson(const json& d) { return {SectionId(text(d, "sectionId")), integer(d, "at")}; }

json LectureAdded::toJson() const {
    return {{"sectionId", sectionId.value()},
            {"lectureId", lectureId.value()},
            {"order", order},
            {"title", details.title},
            {"content", details.content},
            {"durationMinutes", details.durationMinutes},
            {"resourceUrls", details.resourceUrls},
            {"preview", details.preview},
            {"type", details.type},
            {"at", at}};
}
LectureAdded LectureAdded::fromJson(const json& d) {
    return {SectionId(text(d, "sectionId")),
            LectureId(text(d, "lectureId")),
            integer(d, "order"),
            {text(d, "title"), text(d, "content"), integer(d, "durationMinutes"), strings(d, "resourceUrls"),
             boolean(d, "preview"), text(d, "type")},
            integer(d, "at")};
}
json LectureUpdated::toJson() const {
    json j{{"sectionId", sectionId.value()}, {"lectureId", lectureId.value()}};
    put(j, "title", title);
    put(j, "content", content);
    put(j, "type", type);
    put(j, "durationMinutes", durationMinutes);
    put(j, "order", order);
    put(j, "resourceUrls", resourceUrls);
    put(j, "preview", preview);
    j["at"] = at;
    return j;
}
LectureUpdated LectureUpdated::fromJson(const json& d) {
    LectureUpdated u;
    u.sectionId = SectionId(text(d, "sectionId"));
    u.lectureId = LectureId(text(d, "lectureId"));
    u.title = optionalText(d, "title");
    u.content = optionalText(d, "content");
    u.type = optionalText(d, "type");
    u.durationMinutes = optionalInteger(d, "durationMinutes");
    u.order = optionalInteger(d, "order");
    u.resourceUrls = optionalStrings(d, "resourceUrls");
    u.preview = optionalBoolean(d, "preview");
    u.at = integer(d, "at");
    return u;
}
json LectureRemoved::toJson() const { return {{"lectureId", lectureId.value()}, {"at", at}}; }
LectureRemoved LectureRemoved::fromJson(const json& d) { return {LectureId(text(d, "lectureId")), integer(d, "at")}; }

}  // namespace lms::domain::catalog
