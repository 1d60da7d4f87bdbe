#include "api/catalog/routes.hpp"

#include "api/http/body.hpp"
#include "api/http/problem.hpp"
#include "api/http/query.hpp"
#include "common/ids.hpp"
#include "common/metrics.hpp"
#include "common/sha256.hpp"
#include "domain/catalog/ids.hpp"
#include "domain/identity/events.hpp"
#include "domain/identity/ids.hpp"
#include "projections/catalog/queries.hpp"
#include "projections/enrollment/queries.hpp"

namespace lms::catalog {
namespace {

namespace dc = domain::catalog;
namespace q = projections::catalog;
using api::signedIn;
using http::problem;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kMaxQueryCharacters = 200;

expected<json, Response> object(const Request& req) {
    auto j = http::parseObject(req.body);
    if (!j) return unexpected(problem(400, "malformed_json", j.error(), req.requestId));
    return std::move(*j);
}

Response notFound(const Request& req) { return problem(404, "course_not_found", "no such course", req.requestId); }

// Who may see everything of a course: its instructor and admins.
bool privileged(const std::optional<http::Principal>& p, const q::CourseRow& c) {
    return p && (p->role == "ADMIN" || p->userId == c.instructorId);
}

json lectureJson(const q::LectureRow& l, bool full) {
    json j{{"id", l.id},
           {"sectionId", l.sectionId},
           {"order", l.order},
           {"title", l.title},
           {"durationMinutes", l.durationMinutes},
           {"preview", l.preview},
           {"type", l.type}};
    // Content and resources: the owner, admins and enrolled students, and anyone for a preview lecture.
    if (full || l.preview) {
        j["content"] = l.content;
        j["resourceUrls"] = l.resourceUrls;
    }
    return j;
}

json courseJson(const q::CourseRow& c, bool full) {
    json j{{"id", c.id.value()},
           {"slug", c.slug},
           {"title", c.title},
           {"description", c.description},
           {"price", c.price},
           {"currency", c.currency},
           {"category", c.category},
           {"difficulty", c.difficulty},
           {"tags", c.tags},
           {"status", c.status},
           {"instructor", {{"id", c.instructorId}, {"name", c.instructorName}}},
           {"lectureCount", c.lectureCount},
           {"totalMinutes", c.totalMinutes},
           {"version", c.version},
           {"createdAt", c.createdAt},
           {"updatedAt", c.updatedAt},
           {"publishedAt", c.publishedAt ? json(*c.publishedAt) : json(nullptr)}};
    if (full) {
        j["submittedAt"] = c.submittedAt ? json(*c.submittedAt) : json(nullptr);
        j["rejectionReason"] = c.rejectionReason.empty() ? json(nullptr) : json(c.rejectionReason);
    }
    return j;
}

// `owner`: the instructor's and admins' view (review fields); `content`: lecture content and
// resources (theirs, and enrolled students').
json detailJson(const q::CourseDetail& d, bool owner, bool content) {
    json j = courseJson(d.course, owner);
    json sections = json::array();
    for (const auto& s : d.sections) {
        json lectures = json::array();
        for (const auto& l : s.lectures) lectures.push_back(lectureJson(l, content));
        sections.push_back({{"id", s.id}, {"order", s.order}, {"title", s.title}, {"lectures", std::move(lectures)}});
    }
    j["sections"] = std::move(sections);
    return j;
}

// The owner's view of each course with its active enrollments counted (the enrollment read model).
json withEnrollmentCounts(pg::Connection& c, const std::vector<q::CourseRow>& courses) {
    std::vector<std::string> ids;
    for (const auto& course : courses) ids.push_back(course.id.value());
    const auto counts = projections::enrollment::activeCounts(c, ids);
    json items = json::array();
    for (const auto& course : courses) {
        auto j = courseJson(course, true);
        const auto it = counts.find(course.id.value());
        j["enrollmentCount"] = it == counts.end() ? 0 : it->second;
        items.push_back(std::move(j));
    }
    return items;
}

// `"<version>.<digest of the body>"`: changes with the course (If-Match names the version) and
// with anything else the answer shows (an instructor's new name).
std::string etag(std::int64_t version, const std::string& body) {
    return "\"" + std::to_string(version) + "." + sha256Hex(body).substr(0, 16) + "\"";
}
std::string listTag(const std::string& body) { return "\"" + sha256Hex(body).substr(0, 24) + "\""; }

// True when If-None-Match names this tag (or is *).
bool notModified(const Request& req, const std::string& tag) {
    const auto& inm = req.header("if-none-match");
    if (inm.empty()) return false;
    if (inm == "*") return true;
    std::size_t i = 0;
    while (i < inm.size()) {
        auto j = inm.find(',', i);
        if (j == std::string::npos) j = inm.size();
        std::string one = inm.substr(i, j - i);
        while (!one.empty() && one.front() == ' ') one.erase(0, 1);
        while (!one.empty() && one.back() == ' ') one.pop_back();
        if (one.rfind("W/", 0) == 0) one.erase(0, 2);
        if (one == tag) return true;
        i = j + 1;
    }
    return false;
}

Response cacheable(const Request& req, Response res, const std::string& tag, bool isPublic) {
    res.headers.push_back({"ETag", tag});
    res.headers.push_back({"Cache-Control", isPublic ? "public, max-age=0, must-revalidate" : "private, no-cache"});
    if (notModified(req, tag)) {
        Response nm{304, "", "", res.headers};
        return nm;
    }
    return res;
}

// A public answer read from the database: counted, so that operators (and tests) see how often
// the cache is missed.
void missed(const char* route) {
    metrics::Registry::global().increment("lms_catalog_answer_misses_total",
                                          "Public catalog answers read from the database, not from memory",
                                          {{"route", route}});
}

// An answer from the cache, as the handler made it (ETag, Cache-Control, 304).
Response cached(const Request& req, const http::AnswerCache::Answer& a) {
    return cacheable(req, Response{200, "application/json", a.body, {}}, a.tag, true);
}

// The version If-Match names: `"7"`, `"7.abcd"`, `W/"7..."`; nothing for absent or `*`; the 400
// to answer for anything else.
expected<std::optional<std::int64_t>, Response> ifMatch(const Request& req) {
    std::string v = req.header("if-match");
    if (v.empty() || v == "*") return std::optional<std::int64_t>{};
    if (v.rfind("W/", 0) == 0) v.erase(0, 2);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    const auto dot = v.find('.');
    const std::string digits = v.substr(0, dot);
    if (digits.empty() || digits.size() > 15 || digits.find_first_not_of("0123456789") != std::string::npos) {
        return unexpected(
            problem(400, "malformed_if_match", "If-Match must name an ETag of this course", req.requestId));
    }
    return std::optional<std::int64_t>{std::stoll(digits)};
}

dc::Actor actorOf(const http::Principal& p) { return {p.userId, p.role}; }

std::optional<Response> refusal(const http::Fields& f, const Request& req) {
    if (f.errors.empty()) return std::nullopt;
    return http::invalid(f.errors, req.requestId);
}

// The details of a course from a body: every field present is read; `creating` requires the
// ones a draft needs.
struct DetailsInput {
    std::optional<std::string> title, description, currency, category, difficulty;
    std::optional<std::int64_t> price;
    std::optional<std::vector<std::string>> tags;
};
DetailsInput detailsFrom(http::Fields& f, bool creating) {
    DetailsInput in;
    if (creating) {
        in.title = f.required("title");
        in.currency = f.required("currency");
        in.category = f.required("category");
        in.difficulty = f.required("difficulty");
    } else {
        in.title = f.optional("title");
        in.currency = f.optional("currency");
        in.category = f.optional("category");
        in.difficulty = f.optional("difficulty");
    }
    in.description = f.optional("description", http::Fields::Lines::Multiple);
    in.price = f.integer("price", 0, 100'000'000);
    if (creating && !in.price &&
        std::none_of(f.errors.begin(), f.errors.end(), [](const auto& e) { return e.field == "price"; })) {
        f.errors.push_back({"price", "is required"});
    }
    in.tags = f.strings("tags", 10);
    return in;
}

struct LectureInput {
    std::optional<std::string> title, content, type;
    std::optional<std::int64_t> duration, order;
    std::optional<std::vector<std::string>> resourceUrls;
    std::optional<bool> preview;
};
LectureInput lectureFrom(http::Fields& f, bool creating) {
    LectureInput in;
    in.title = creating ? std::optional<std::string>(f.required("title")) : f.optional("title");
    in.content = f.optional("content", http::Fields::Lines::Multiple);
    in.type = f.optional("type");
    in.duration = f.integer("duration", 0, 10'000);
    in.order = f.integer("order", 1, 10'000);
    in.resourceUrls = f.strings("resourceUrls", 20);
    in.preview = f.boolean("preview");
    return in;
}

}  // namespace

Routes::Routes(api::Services& services) : services_(services) {
    services.feed.subscribe(
        {[this](const api::EventFeed::Events& events) { observe(events); }, [this] { answers_.clear(); }});
}

void Routes::observe(const api::EventFeed::Events& events) {
    namespace di = domain::identity;
    for (const auto& e : events) {
        // Any course event may change a public answer (a published course's edit, an approval, a
        // deletion); an instructor's name shows in every answer of their courses.
        const bool course = e.streamId.rfind(std::string(dc::kCourseCategory) + "-", 0) == 0;
        const bool name = di::userOfStream(e.streamId) &&
                          (e.type == di::UserProfileUpdated::kType || e.type == di::UserErased::kType);
        if (course || name) {
            answers_.clear();
            return;
        }
    }
}

namespace {

// A command's use cases, telling the feed (and so this process's caches) what they commit.
Commands commandsOf(api::Services& s, pg::Connection& c) {
    return Commands(c, s.env.clock,
                    [&s](const std::vector<eventstore::RecordedEvent>& events) { s.feed.committed(events); });
}

// A key's part: its length first, so that no value can pass for two.
void keyPart(std::string& key, std::string_view value) {
    key += std::to_string(value.size());
    key += ':';
    key += value;
}
template <class T>
void keyPart(std::string& key, const std::optional<T>& value) {
    if (!value) {
        key += '-';
        return;
    }
    if constexpr (std::is_same_v<T, std::string>) keyPart(key, std::string_view(*value));
    else keyPart(key, std::to_string(*value));
}

// The caller when a credential is presented and good; nobody otherwise (public reads).
std::optional<http::Principal> maybeSignedIn(api::Services& s, const Request& req) {
    if (!s.authenticator || (req.header("authorization").empty() && req.header("cookie").empty())) return std::nullopt;
    auto p = s.authenticator->authenticate(req);
    if (!p) return std::nullopt;
    return *p;
}

std::optional<Response> authorOnly(const http::Principal& p, const Request& req) {
    if (p.role == "INSTRUCTOR" || p.role == "ADMIN") return std::nullopt;
    return problem(403, "instructors_only", "only instructors and admins author courses", req.requestId);
}

// The course id of the path, or nothing when it is not a UUID (404, not 500).
std::optional<CourseId> courseIdOf(const Request& req) {
    const auto it = req.params.find("id");
    if (it == req.params.end() || !isUuid(it->second)) return std::nullopt;
    return CourseId(it->second);
}
bool uuidParam(const Request& req, const char* name) {
    const auto it = req.params.find(name);
    return it != req.params.end() && isUuid(it->second);
}

}  // namespace

Response Routes::list(Request& req) {
    http::Query query(req.query);
    const auto page = query.paging();
    q::CourseFilter filter;
    filter.q = query.text("q", kMaxQueryCharacters);
    filter.category = query.oneOf("category", {"PROGRAMMING", "DESIGN", "BUSINESS", "MARKETING", "PERSONAL_DEVELOPMENT",
                                               "MUSIC", "PHOTOGRAPHY", "OTHER"});
    filter.difficulty = query.oneOf("difficulty", {"BEGINNER", "INTERMEDIATE", "ADVANCED", "EXPERT"});
    filter.tag = query.text("tag", 50);
    filter.instructorId = query.text("instructor", 36);
    if (filter.instructorId && !isUuid(*filter.instructorId))
        query.errors.push_back({"instructor", "must be a user id"});
    const int minPrice = query.integer("minPrice", -1, 0, 100'000'000);
    const int maxPrice = query.integer("maxPrice", -1, 0, 100'000'000);
    if (minPrice >= 0) filter.minPrice = minPrice;
    if (maxPrice >= 0) filter.maxPrice = maxPrice;
    if (filter.minPrice && filter.maxPrice && *filter.minPrice > *filter.maxPrice)
        query.errors.push_back({"maxPrice", "must not be below minPrice"});
    const auto sort = query.oneOf("sort", {"newest", "price_asc", "price_desc", "title", "relevance"});
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    if (!sort) filter.sort = filter.q ? q::Sort::Relevance : q::Sort::Newest;
    else if (*sort == "price_asc") filter.sort = q::Sort::PriceAsc;
    else if (*sort == "price_desc") filter.sort = q::Sort::PriceDesc;
    else if (*sort == "title") filter.sort = q::Sort::Title;
    else if (*sort == "relevance") filter.sort = q::Sort::Relevance;
    else filter.sort = q::Sort::Newest;
    // Everyone sees the same listing: one answer per normalised query.
    std::string key = "list";
    keyPart(key, filter.q);
    keyPart(key, filter.category);
    keyPart(key, filter.difficulty);
    keyPart(key, filter.tag);
    keyPart(key, filter.instructorId);
    keyPart(key, filter.minPrice);
    keyPart(key, filter.maxPrice);
    keyPart(key, std::optional<int>(static_cast<int>(filter.sort)));
    keyPart(key, std::optional<int>(page.page));
    keyPart(key, std::optional<int>(page.limit));
    const bool caching = services_.feed.following();
    if (caching) {
        if (const auto hit = answers_.get(key)) return cached(req, *hit);
    }
    const auto generation = answers_.generation();
    missed("list");
    auto conn = services_.pool.acquire();
    const auto found = q::listPublished(*conn, filter, page);
    json items = json::array();
    for (const auto& c : found.items) items.push_back(courseJson(c, false));
    auto res = http::json(200, http::listBody(std::move(items), found.totalItems, page));
    const auto tag = listTag(res.body);
    if (caching) answers_.put(key, {res.body, tag, ""}, generation);
    return cacheable(req, std::move(res), tag, true);
}

Response Routes::detail(Request& req) {
    const std::string key = req.params["id"];  // an id or any slug the course had
    if (key.empty() || key.size() > 200) return notFound(req);
    const auto viewer = maybeSignedIn(services_, req);
    // A published course's public view is the same for everyone but its instructor, admins and
    // its enrolled students (who see the lectures' content).
    const std::string cacheKey = "detail" + key;
    const bool caching = services_.feed.following();
    if (caching && !(viewer && viewer->role == "ADMIN")) {
        if (const auto hit = answers_.get(cacheKey)) {
            const bool more = viewer && (viewer->userId == hit->owner || [&] {
                                  auto conn = services_.pool.acquire();
                                  return projections::enrollment::enrolled(*conn, viewer->userId, hit->subject);
                              }());
            if (!more) return cached(req, *hit);
        }
    }
    const auto generation = answers_.generation();
    if (!viewer) missed("detail");
    auto conn = services_.pool.acquire();
    const auto found = q::findCourse(*conn, key);
    if (!found) return notFound(req);
    const bool owner = privileged(viewer, found->course);
    // Drafts, courses in review and rejected ones are not there for the public (nor its students).
    if (found->course.status != "PUBLISHED" && !owner) return notFound(req);
    const bool content = owner ||
                         (viewer && projections::enrollment::enrolled(*conn, viewer->userId, found->course.id.value()));
    auto res = http::json(200, detailJson(*found, owner, content));
    const bool isPublic = found->course.status == "PUBLISHED" && !content;
    const auto tag = etag(found->course.version, res.body);
    if (caching && isPublic)
        answers_.put(cacheKey, {res.body, tag, found->course.instructorId, found->course.id.value()}, generation);
    return cacheable(req, std::move(res), tag, isPublic);
}

namespace {

// The course as it is after a command (status 200 or 201), with its new ETag.
Response answerWithCourse(pg::Connection& c, const Changed& changed, int status) {
    const auto found = q::findCourse(c, changed.courseId.value());
    if (!found) return Response{204, "application/json", "", {}};
    auto res = http::json(status, detailJson(*found, true, true));
    res.headers.push_back({"ETag", etag(found->course.version, res.body)});
    if (status == 201) res.headers.push_back({"Location", "/api/v1/courses/" + changed.courseId.value()});
    return res;
}

}  // namespace

Response Routes::create(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    if (auto refused = authorOnly(*p, req)) return *refused;
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const auto in = detailsFrom(f, true);
    dc::CourseDetails details{in.title.value_or(""),
                              in.description.value_or(""),
                              in.price.value_or(0),
                              in.currency.value_or(""),
                              in.category.value_or(""),
                              in.difficulty.value_or(""),
                              in.tags.value_or(std::vector<std::string>{})};
    f.merge(dc::detailsErrors(dc::normalised(details)));
    if (auto refused = refusal(f, req)) return *refused;
    auto conn = services_.pool.acquire();
    auto made = commandsOf(services_, *conn).create(actorOf(*p), details, http::metadataOf(req, p->userId));
    if (!made) return http::fromDomain(made.error(), req.requestId);
    return answerWithCourse(*conn, *made, 201);
}

namespace {

// What every change of a course starts from: a signed-in caller, the ids of the path well formed
// (404 otherwise, before anything else is read), and the version If-Match names.
struct Change {
    http::Principal who;
    CourseId course;
    std::optional<std::int64_t> ifMatch;
    dc::Actor actor() const { return actorOf(who); }
};
expected<Change, Response> changeOf(api::Services& s, const Request& req, bool section = false, bool lecture = false) {
    auto p = signedIn(s, req);
    if (!p) return unexpected(p.error());
    const auto course = courseIdOf(req);
    if (!course) return unexpected(notFound(req));
    if (section && !uuidParam(req, "sectionId"))
        return unexpected(problem(404, "section_not_found", "no such section", req.requestId));
    if (lecture && !uuidParam(req, "lectureId"))
        return unexpected(problem(404, "lecture_not_found", "no such lecture", req.requestId));
    auto match = ifMatch(req);
    if (!match) return unexpected(match.error());
    return Change{std::move(*p), *course, *match};
}

// The command run on the change's course, answered with the course as it is now (200, or 201
// for what it made) or with 204; or the refusal.
Response run(api::Services& s, const Request& req, const Change& change, dc::Course::Command command, int status) {
    auto conn = s.pool.acquire();
    auto done = commandsOf(s, *conn).apply(change.course, std::move(command), http::metadataOf(req, change.who.userId));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    if (status == 204) return Response{204, "application/json", "", {}};
    return answerWithCourse(*conn, *done, status);
}

}  // namespace

Response Routes::update(Request& req) {
    auto change = changeOf(services_, req);
    if (!change) return change.error();
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const auto in = detailsFrom(f, false);
    if (auto refused = refusal(f, req)) return *refused;
    dc::UpdateCourse cmd{change->actor()};
    cmd.title = in.title;
    cmd.description = in.description;
    cmd.price = in.price;
    cmd.currency = in.currency;
    cmd.category = in.category;
    cmd.difficulty = in.difficulty;
    cmd.tags = in.tags;
    cmd.ifMatch = change->ifMatch;
    return run(services_, req, *change, cmd, 200);
}

Response Routes::remove(Request& req) {
    auto change = changeOf(services_, req);
    if (!change) return change.error();
    return run(services_, req, *change, dc::DeleteCourse{change->actor(), change->ifMatch, 0}, 204);
}

Response Routes::lifecycle(Request& req, const std::string& step) {
    auto change = changeOf(services_, req);
    if (!change) return change.error();
    // Who may take which step (an admin approves and rejects) is the course's decision.
    const auto actor = change->actor();
    dc::Course::Command cmd = dc::SubmitCourse{actor, change->ifMatch, 0};
    if (step == "unpublish") cmd = dc::UnpublishCourse{actor, change->ifMatch, 0};
    else if (step == "approve") cmd = dc::ApproveCourse{actor, change->ifMatch, 0};
    else if (step == "reject") {
        if (req.body.empty()) return http::invalid({{"reason", "is required"}}, req.requestId);
        auto body = object(req);
        if (!body) return body.error();
        http::Fields f(*body);
        const std::string reason = f.required("reason", http::Fields::Lines::Multiple);
        if (auto refused = refusal(f, req)) return *refused;
        cmd = dc::RejectCourse{actor, reason, change->ifMatch, 0};
    }
    return run(services_, req, *change, cmd, 200);
}

Response Routes::addSection(Request& req) {
    auto change = changeOf(services_, req);
    if (!change) return change.error();
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const std::string title = f.required("title");
    const auto order = f.integer("order", 1, 10'000);
    if (auto refused = refusal(f, req)) return *refused;
    return run(services_, req, *change,
               dc::AddSection{change->actor(), dc::SectionId(""), title, order, change->ifMatch, 0}, 201);
}

Response Routes::updateSection(Request& req) {
    auto change = changeOf(services_, req, true);
    if (!change) return change.error();
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const auto title = f.optional("title");
    const auto order = f.integer("order", 1, 10'000);
    if (auto refused = refusal(f, req)) return *refused;
    const dc::SectionId section(req.params.at("sectionId"));
    return run(services_, req, *change, dc::UpdateSection{change->actor(), section, title, order, change->ifMatch, 0},
               200);
}

Response Routes::removeSection(Request& req) {
    auto change = changeOf(services_, req, true);
    if (!change) return change.error();
    const dc::SectionId section(req.params.at("sectionId"));
    return run(services_, req, *change, dc::RemoveSection{change->actor(), section, change->ifMatch, 0}, 204);
}

Response Routes::addLecture(Request& req) {
    auto change = changeOf(services_, req, true);
    if (!change) return change.error();
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const auto in = lectureFrom(f, true);
    dc::LectureDetails details{in.title.value_or(""),      in.content.value_or(""),
                               in.duration.value_or(0),    in.resourceUrls.value_or(std::vector<std::string>{}),
                               in.preview.value_or(false), in.type.value_or("VIDEO")};
    f.merge(dc::lectureErrors(details));
    if (auto refused = refusal(f, req)) return *refused;
    const dc::SectionId section(req.params.at("sectionId"));
    return run(services_, req, *change,
               dc::AddLecture{change->actor(), section, dc::LectureId(""), details, in.order, change->ifMatch, 0}, 201);
}

Response Routes::updateLecture(Request& req) {
    auto change = changeOf(services_, req, true, true);
    if (!change) return change.error();
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const auto in = lectureFrom(f, false);
    const auto moveTo = f.optional("sectionId");
    if (moveTo && !isUuid(*moveTo)) f.errors.push_back({"sectionId", "is not a section of the course"});
    if (auto refused = refusal(f, req)) return *refused;
    dc::UpdateLecture cmd{change->actor(), dc::SectionId(req.params.at("sectionId")),
                          dc::LectureId(req.params.at("lectureId"))};
    cmd.title = in.title;
    cmd.content = in.content;
    cmd.type = in.type;
    cmd.durationMinutes = in.duration;
    cmd.order = in.order;
    cmd.resourceUrls = in.resourceUrls;
    cmd.preview = in.preview;
    if (moveTo) cmd.moveTo = dc::SectionId(*moveTo);
    cmd.ifMatch = change->ifMatch;
    return run(services_, req, *change, cmd, 200);
}

Response Routes::removeLecture(Request& req) {
    auto change = changeOf(services_, req, true, true);
    if (!change) return change.error();
    return run(services_, req, *change,
               dc::RemoveLecture{change->actor(), dc::SectionId(req.params.at("sectionId")),
                                 dc::LectureId(req.params.at("lectureId")), change->ifMatch, 0},
               204);
}

Response Routes::instructorCourses(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    if (auto refused = authorOnly(*p, req)) return *refused;
    http::Query query(req.query);
    const auto page = query.paging();
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    auto conn = services_.pool.acquire();
    const auto found = q::coursesOf(*conn, p->userId, page);
    return http::json(200, http::listBody(withEnrollmentCounts(*conn, found.items), found.totalItems, page));
}

Response Routes::adminCourses(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    if (auto refused = http::requireRole(*p, "ADMIN", req)) return *refused;
    http::Query query(req.query);
    const auto page = query.paging();
    const auto status = query.oneOf("status", {"DRAFT", "IN_REVIEW", "PUBLISHED", "REJECTED"});
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    auto conn = services_.pool.acquire();
    const auto found = q::coursesInStatus(*conn, status.value_or("IN_REVIEW"), page);
    return http::json(200, http::listBody(withEnrollmentCounts(*conn, found.items), found.totalItems, page));
}

void Routes::mount(http::Router& r) {
    r.add("GET", "/api/v1/courses", [this](Request& q) { return list(q); });
    r.add("POST", "/api/v1/courses", [this](Request& q) { return create(q); });
    r.add("GET", "/api/v1/courses/{id}", [this](Request& q) { return detail(q); });
    r.add("PATCH", "/api/v1/courses/{id}", [this](Request& q) { return update(q); });
    r.add("DELETE", "/api/v1/courses/{id}", [this](Request& q) { return remove(q); });
    r.add("POST", "/api/v1/courses/{id}/submit", [this](Request& q) { return lifecycle(q, "submit"); });
    r.add("POST", "/api/v1/courses/{id}/unpublish", [this](Request& q) { return lifecycle(q, "unpublish"); });
    r.add("PATCH", "/api/v1/admin/courses/{id}/approve", [this](Request& q) { return lifecycle(q, "approve"); });
    r.add("PATCH", "/api/v1/admin/courses/{id}/reject", [this](Request& q) { return lifecycle(q, "reject"); });
    r.add("POST", "/api/v1/courses/{id}/sections", [this](Request& q) { return addSection(q); });
    r.add("PATCH", "/api/v1/courses/{id}/sections/{sectionId}", [this](Request& q) { return updateSection(q); });
    r.add("DELETE", "/api/v1/courses/{id}/sections/{sectionId}", [this](Request& q) { return removeSection(q); });
    r.add("POST", "/api/v1/courses/{id}/sections/{sectionId}/lectures", [this](Request& q) { return addLecture(q); });
    r.add("PATCH", "/api/v1/courses/{id}/sections/{sectionId}/lectures/{lectureId}",
          [this](Request& q) { return updateLecture(q); });
    r.add("DELETE", "/api/v1/courses/{id}/sections/{sectionId}/lectures/{lectureId}",
          [this](Request& q) { return removeLecture(q); });
    r.add("GET", "/api/v1/instructor/courses", [this](Request& q) { return instructorCourses(q); });
    r.add("GET", "/api/v1/admin/courses", [this](Request& q) { return adminCourses(q); });
}

}  // namespace lms::catalog
