#include "api/progress/routes.hpp"

#include "api/http/problem.hpp"

namespace lms::progress {
namespace {

using api::signedIn;
using http::Request;
using http::Response;
using nlohmann::json;

json progressJson(const ProgressRow& p) {
    return json{{"progress", p.percent},
                {"completedLectures", p.completedLectures},
                {"totalLectures", p.totalLectures},
                {"completedLectureIds", p.completed},
                {"completed", p.completedAt.has_value()},
                {"completedAt", p.completedAt ? json(*p.completedAt) : json(nullptr)},
                {"certificateId", p.certificateId ? json(*p.certificateId) : json(nullptr)}};
}

}  // namespace

Routes::Routes(api::Services& services) : services_(services) {}

Commands Routes::commands(pg::Connection& c) {
    return Commands(c, services_.env.clock,
                    [this](const std::vector<eventstore::RecordedEvent>& events) { services_.feed.committed(events); });
}

Response Routes::complete(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).complete(p->userId, req.params["courseId"], req.params["lectureId"],
                                         http::metadataOf(req, p->userId));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    return http::json(200, progressJson(*done));
}

Response Routes::show(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    auto conn = services_.pool.acquire();
    auto found = commands(*conn).progressOf(p->userId, req.params["courseId"]);
    if (!found) return http::fromDomain(found.error(), req.requestId);
    return http::json(200, progressJson(*found));
}

Response Routes::reset(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).reset(p->userId, req.params["courseId"], http::metadataOf(req, p->userId));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    return http::json(200, progressJson(*done));
}

void Routes::mount(http::Router& r) {
    r.add("POST", "/api/v1/progress/courses/{courseId}/lectures/{lectureId}/complete",
          [this](Request& q) { return complete(q); });
    r.add("GET", "/api/v1/progress/courses/{courseId}", [this](Request& q) { return show(q); });
    r.add("POST", "/api/v1/progress/courses/{courseId}/reset", [this](Request& q) { return reset(q); });
}

}  // namespace lms::progress
