#pragma once
// Courses over HTTP: authoring (instructors and admins), the review (admins), the public catalog
// and the instructor's and the admin's lists. Thin: each handler parses the request (api/http),
// runs a use case (commands.hpp) or a query (projections/catalog/queries.hpp), and maps the
// result to a status. Answers that show a course carry an ETag (`"<version>.<digest>"`): If-Match
// with the version is honoured on every change (412 when stale), If-None-Match on reads (304).
// The public answers (the listing and the search, a published course's public view) are kept
// serialised in memory and cleared by every catalog event and every instructor-name change as the
// event feed delivers them (this process's commits before their answer is sent): decision 0016.
#include "api/catalog/commands.hpp"
#include "api/context.hpp"
#include "api/http/answer_cache.hpp"

namespace lms::catalog {

class Routes final : public api::HttpSide {
public:
    explicit Routes(api::Services& services);
    void mount(http::Router& router) override;

    http::Response list(http::Request& req);
    http::Response detail(http::Request& req);
    http::Response create(http::Request& req);
    http::Response update(http::Request& req);
    http::Response remove(http::Request& req);
    http::Response lifecycle(http::Request& req, const std::string& step);  // submit, unpublish, approve, reject
    http::Response addSection(http::Request& req);
    http::Response updateSection(http::Request& req);
    http::Response removeSection(http::Request& req);
    http::Response addLecture(http::Request& req);
    http::Response updateLecture(http::Request& req);
    http::Response removeLecture(http::Request& req);
    http::Response instructorCourses(http::Request& req);
    http::Response adminCourses(http::Request& req);

    // What the catalog's answers show changed: courses, or an instructor's name.
    void observe(const api::EventFeed::Events& events);

private:
    api::Services& services_;
    http::AnswerCache answers_;
};

}  // namespace lms::catalog
