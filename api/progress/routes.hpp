#pragma once
// Progress over HTTP: an enrolled student completes lectures, reads and resets their progress in
// a course. Thin: each handler authenticates, runs a use case (commands.hpp), maps the result.
#include "api/context.hpp"
#include "api/progress/commands.hpp"

namespace lms::progress {

class Routes final : public api::HttpSide {
public:
    explicit Routes(api::Services& services);
    void mount(http::Router& router) override;

    http::Response complete(http::Request& req);
    http::Response show(http::Request& req);
    http::Response reset(http::Request& req);

private:
    Commands commands(pg::Connection& c);
    api::Services& services_;
};

}  // namespace lms::progress
