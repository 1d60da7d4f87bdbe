#pragma once
// What the HTTP integration tests of every context that sells or teaches courses start from:
// people of each role signed in against a running `lms serve`, and courses made through the API
// (a draft with one section and one lecture; the same, reviewed and published).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "api/identity/commands.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lms_env.hpp"

namespace lms::test {

// Registers someone over HTTP and returns their bearer header.
inline Headers signUp(int port, const std::string& who, const std::string& role, const std::string& firstName,
                      const std::string& lastName) {
    auto r = call(port, "POST", "/api/v1/auth/register",
                  nlohmann::json{{"email", who + "-" + newUuid().substr(24) + "@example.com"},
                                 {"password", "correct horse battery"},
                                 {"firstName", firstName},
                                 {"lastName", lastName},
                                 {"role", role}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return bearer(r.body["accessToken"]);
}

// An admin (who cannot self-register): made with the use case, signed in over HTTP.
inline Headers signUpAdmin(int port, const std::string& dbUrl, const std::string& secret) {
    pg::Connection c(dbUrl);
    identity::Settings settings;
    settings.cost = kCheapPasswordCost;
    settings.secret = secret;
    const auto email = "admin-" + newUuid().substr(24) + "@example.com";
    const identity::RegisterInput in{email, "admin password 123", "Ada", "Admin", "ADMIN", true};
    EXPECT_TRUE(identity::Commands(c, Clock::system(), settings).registerUser(in, {"test", "test", ""}));
    auto login = call(port, "POST", "/api/v1/auth/login",
                      nlohmann::json{{"email", email}, {"password", "admin password 123"}});
    return bearer(login.body["accessToken"]);
}

inline nlohmann::json courseInput(const std::string& title, std::int64_t price = 4900) {
    return {{"title", title},    {"description", "All about " + title}, {"price", price},
            {"currency", "USD"}, {"category", "PROGRAMMING"},           {"difficulty", "BEGINNER"},
            {"tags", {"code"}}};
}

// A draft of the owner with one section and one lecture (content "secret content"): its detail.
inline nlohmann::json draftWithALecture(int port, const Headers& owner, const std::string& title,
                                        std::int64_t price = 4900) {
    auto made = call(port, "POST", "/api/v1/courses", courseInput(title, price), owner);
    EXPECT_EQ(made.status, 201) << made.raw;
    const std::string id = made.body["id"];
    auto section = call(port, "POST", "/api/v1/courses/" + id + "/sections", nlohmann::json{{"title", "Basics"}}, owner);
    EXPECT_EQ(section.status, 201) << section.raw;
    const std::string sid = section.body["sections"][0]["id"];
    auto lecture = call(port, "POST", "/api/v1/courses/" + id + "/sections/" + sid + "/lectures",
                        nlohmann::json{{"title", "Hello"}, {"content", "secret content"}, {"duration", 12}}, owner);
    EXPECT_EQ(lecture.status, 201) << lecture.raw;
    return lecture.body;
}

// The same, submitted and approved: published.
inline nlohmann::json publishedCourse(int port, const Headers& owner, const Headers& admin, const std::string& title,
                                      std::int64_t price = 4900) {
    const auto d = draftWithALecture(port, owner, title, price);
    const std::string id = d["id"];
    EXPECT_EQ(call(port, "POST", "/api/v1/courses/" + id + "/submit", std::nullopt, owner).status, 200);
    auto ok = call(port, "PATCH", "/api/v1/admin/courses/" + id + "/approve", std::nullopt, admin);
    EXPECT_EQ(ok.status, 200) << ok.raw;
    return ok.body;
}

}  // namespace lms::test
