#include "api/enrollment/routes.hpp"

#include "api/http/problem.hpp"
#include "api/http/query.hpp"
#include "common/ids.hpp"
#include "projections/catalog/queries.hpp"

namespace lms::enrollment {
namespace {

using api::signedIn;
using http::problem;
using http::Request;
using http::Response;
using nlohmann::json;
namespace q = projections::enrollment;

json enrollmentJson(const EnrollmentRow& e) {
    return json{{"id", e.id},
                {"courseId", e.courseId},
                {"course", {{"id", e.courseId}, {"title", e.courseTitle}, {"slug", e.courseSlug}}},
                {"studentId", e.studentId},
                {"status", e.status},
                {"source", e.source},
                {"paymentId", e.paymentId.empty() ? json(nullptr) : json(e.paymentId)},
                {"amount", e.amount},
                {"currency", e.currency},
                {"enrolledAt", e.enrolledAt},
                {"revokedAt", e.revokedAt ? json(*e.revokedAt) : json(nullptr)},
                {"revokedReason", e.revokedReason.empty() ? json(nullptr) : json(e.revokedReason)}};
}

std::optional<std::string> courseIdOf(const Request& req) {
    const auto it = req.params.find("id");
    if (it == req.params.end() || !isUuid(it->second)) return std::nullopt;
    return it->second;
}

Response notFound(const Request& req) { return problem(404, "course_not_found", "no such course", req.requestId); }

Response page(const Page<EnrollmentRow>& found, const PageRequest& p, json (*item)(const EnrollmentRow&)) {
    json items = json::array();
    for (const auto& e : found.items) items.push_back(item(e));
    return http::json(200, http::listBody(std::move(items), found.totalItems, p));
}

json studentJson(const EnrollmentRow& e) {
    return json{{"studentId", e.studentId},
                {"name", e.studentName},
                {"enrollmentId", e.id},
                {"status", e.status},
                {"enrolledAt", e.enrolledAt}};
}

}  // namespace

Routes::Routes(api::Services& services) : services_(services) {}

Response Routes::enroll(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    const auto course = courseIdOf(req);
    if (!course) return notFound(req);
    auto conn = services_.pool.acquire();
    Commands commands(*conn, services_.env.clock, [this](const std::vector<eventstore::RecordedEvent>& events) {
        services_.feed.committed(events);
    });
    auto done = commands.enroll(p->userId, *course, http::metadataOf(req, p->userId));
    if (!done) {
        if (done.error().kind != DomainError::Kind::PaymentRequired)
            return http::fromDomain(done.error(), req.requestId);
        // How to pay: the price as the catalog has it now, and the checkout to start.
        auto res = http::fromDomain(done.error(), req.requestId);
        auto body = json::parse(res.body);
        if (const auto found = projections::catalog::findCourse(*conn, *course)) {
            body["price"] = found->course.price;
            body["currency"] = found->course.currency;
        }
        body["checkout"] = {
            {"method", "POST"}, {"href", "/api/v1/payments/checkout-sessions"}, {"body", {{"courseId", *course}}}};
        res.body = body.dump();
        return res;
    }
    auto res = http::json(done->created ? 201 : 200, enrollmentJson(done->enrollment));
    if (done->created) res.headers.push_back({"Location", "/api/v1/courses/" + *course + "/enrollment"});
    return res;
}

Response Routes::mine(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    http::Query query(req.query);
    const auto paging = query.paging();
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    auto conn = services_.pool.acquire();
    return page(q::enrollmentsOf(*conn, p->userId, paging), paging, enrollmentJson);
}

Response Routes::ofCourse(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    const auto course = courseIdOf(req);
    if (!course) return notFound(req);
    auto conn = services_.pool.acquire();
    const auto found = q::findEnrollment(*conn, p->userId, *course);
    if (!found) return problem(404, "not_enrolled", "not enrolled in this course", req.requestId);
    return http::json(200, enrollmentJson(*found));
}

Response Routes::students(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    const auto course = courseIdOf(req);
    if (!course) return notFound(req);
    http::Query query(req.query);
    const auto paging = query.paging();
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    auto conn = services_.pool.acquire();
    const auto found = projections::catalog::findCourse(*conn, *course);
    if (!found || found->course.status == "DELETED") return notFound(req);
    if (p->role != "ADMIN" && p->userId != found->course.instructorId)
        return problem(403, "not_course_owner", "only the course's instructor and admins list its students",
                       req.requestId);
    return page(q::studentsOf(*conn, *course, paging), paging, studentJson);
}

Response Routes::all(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    if (auto refused = http::requireRole(*p, "ADMIN", req)) return *refused;
    http::Query query(req.query);
    const auto paging = query.paging();
    q::EnrollmentFilter filter;
    filter.courseId = query.text("courseId", 36);
    filter.studentId = query.text("studentId", 36);
    filter.status = query.oneOf("status", {"ACTIVE", "REVOKED"});
    if (filter.courseId && !isUuid(*filter.courseId)) query.errors.push_back({"courseId", "must be a course id"});
    if (filter.studentId && !isUuid(*filter.studentId)) query.errors.push_back({"studentId", "must be a user id"});
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    auto conn = services_.pool.acquire();
    return page(q::enrollments(*conn, filter, paging), paging, enrollmentJson);
}

void Routes::mount(http::Router& r) {
    r.add("POST", "/api/v1/courses/{id}/enroll", [this](Request& q) { return enroll(q); });
    r.add("GET", "/api/v1/courses/{id}/enrollment", [this](Request& q) { return ofCourse(q); });
    r.add("GET", "/api/v1/enrollments", [this](Request& q) { return mine(q); });
    r.add("GET", "/api/v1/instructor/courses/{id}/students", [this](Request& q) { return students(q); });
    r.add("GET", "/api/v1/admin/enrollments", [this](Request& q) { return all(q); });
}

}  // namespace lms::enrollment
