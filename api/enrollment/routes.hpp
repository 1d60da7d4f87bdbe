#pragma once
// Enrollment over HTTP: a student enrolls in a free course (a paid one answers 402 with how to
// pay), reads their enrollments; an instructor lists the students of their course; an admin lists
// every enrollment. Thin: each handler parses (api/http), runs a use case (commands.hpp) or a
// query (projections/enrollment/queries.hpp), and maps the result to a status.
#include "api/context.hpp"
#include "api/enrollment/commands.hpp"

namespace lms::enrollment {

class Routes final : public api::HttpSide {
public:
    explicit Routes(api::Services& services);
    void mount(http::Router& router) override;

    http::Response enroll(http::Request& req);
    http::Response mine(http::Request& req);
    http::Response ofCourse(http::Request& req);
    http::Response students(http::Request& req);
    http::Response all(http::Request& req);

private:
    api::Services& services_;
};

}  // namespace lms::enrollment
