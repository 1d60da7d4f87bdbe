#include "api/context.hpp"

#include "api/http/problem.hpp"

namespace lms::api {

void Registry::streamCategories(std::span<const domain::StreamCategory> categories) {
    for (const auto& c : categories) categories_.add(c);
}

void Registry::projection(MakeProjection make) { projections_.push_back(std::move(make)); }

void Registry::http(MakeHttpSide make) { http_.push_back(std::move(make)); }

void Registry::worker(std::string name, RunWorker run) { workers_.push_back({std::move(name), std::move(run)}); }

std::vector<std::unique_ptr<projections::Projection>> Registry::projections() const {
    std::vector<std::unique_ptr<projections::Projection>> out;
    for (const auto& make : projections_) out.push_back(make());
    return out;
}

std::vector<std::unique_ptr<HttpSide>> Registry::mountHttp(Services& services, http::Router& router) const {
    std::vector<std::unique_ptr<HttpSide>> sides;
    for (const auto& make : http_) {
        sides.push_back(make(services));
        sides.back()->mount(router);
    }
    return sides;
}

expected<http::Principal, http::Response> signedIn(const Services& services, const http::Request& req) {
    if (!services.authenticator) return unexpected(http::problem(401, "unauthenticated", "sign in", req.requestId));
    return services.authenticator->authenticate(req);
}

}  // namespace lms::api
