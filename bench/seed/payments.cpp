// Seeds pending Stripe payments for `ops/bench http` and writes their signed completion notices.
//
// Through the use cases, in process: an instructor and an admin publish --courses paid courses
// (catalog::Commands), students register (identity::Commands::registerUser) and each opens one
// Stripe checkout of every course (payments::Commands::checkout with a stand-in provider: what
// Stripe's REST API would answer, ref cs_bench_<payment id>), --payments in all, so that every
// notice is for a distinct payment of a distinct student and course and should end in exactly
// one enrollment. (Several courses per student because a registration costs more than a
// checkout: 5 courses seed twice as fast as 1.) Then, per payment, the
// `checkout.session.completed` event Stripe would deliver for it (the shape tests/it/payments_it
// sends), signed with --secret at the current time as Stripe signs it
// (webhook::signStripe); the server must run with LMS_STRIPE_WEBHOOK_SECRETS=<secret> and a
// tolerance that covers the time from seeding to sending (LMS_STRIPE_TOLERANCE_S=86400).
//
// The read models the checkout reads (the catalog, enrollments, payments) are built first
// (projections::ensure), as `lms serve` does at start: the use cases then keep them current inline.
// Configuration from the LMS_* environment, like `lms`.
//
// Writes --out: one delivery a line, `<Stripe-Signature value>\t<body>`, in the order the payments
// were opened (neither holds a tab or a newline: bench/webhooks.lua splits at the tab). Prints,
// for bench/http.sh to read:
//   seeded: N payments ... in S s
//   courses: N at <price> USD minor units, first <course id>
//   sample: <one body>        a body of the file, for the INSERT the limit measures
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/catalog/commands.hpp"
#include "api/identity/commands.hpp"
#include "api/payments/commands.hpp"
#include "common/allocator.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/secrets.hpp"
#include "common/webhook_signature.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/master_keys.hpp"
#include "projections/catalog/projection.hpp"
#include "projections/enrollment/projection.hpp"
#include "projections/identity/projection.hpp"
#include "projections/payments/projection.hpp"
#include "projections/runner.hpp"

namespace lms::bench {
namespace {

namespace dc = domain::catalog;
using nlohmann::json;

struct Options {
    int payments = 30000;
    int courses = 5;  // each student buys every one
    int threads = 8;  // each its own connection: appends share WAL flushes; 8 measured fastest on 2 cores
    std::int64_t price = 4900;
    std::string secret = "whsec_bench_payments_0123456789";
    std::string out = "deliveries.tsv";
};

[[noreturn]] void usage(const std::string& bad) {
    std::fprintf(stderr,
                 "seed_payments: bad argument '%s'\n"
                 "usage: seed_payments [--payments=N] [--courses=N] [--threads=N] [--price=MINOR_UNITS] [--secret=WHSEC] "
                 "[--out=FILE]\n",
                 bad.c_str());
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto eq = a.find('=');
        if (eq == std::string::npos) usage(a);
        const std::string key = a.substr(0, eq);
        const std::string text = a.substr(eq + 1);
        if (key == "--secret" || key == "--out") {
            if (text.empty()) usage(a);
            (key == "--secret" ? o.secret : o.out) = text;
            continue;
        }
        long long value = 0;
        try {
            value = std::stoll(text);
        } catch (const std::exception&) {
            usage(a);
        }
        if (value < 1 || value > 10'000'000) usage(a);
        if (key == "--payments") o.payments = static_cast<int>(value);
        else if (key == "--courses") o.courses = static_cast<int>(value);
        else if (key == "--threads") o.threads = static_cast<int>(value);
        else if (key == "--price") o.price = value;
        else usage(a);
    }
    return o;
}

// What Stripe's REST API would answer for a checkout; nothing leaves the process.
class StandInStripe final : public payments::Provider {
public:
    std::string name() const override { return "stripe"; }
    expected<payments::CheckoutSession, std::string> checkout(const payments::CheckoutRequest& r) override {
        return payments::CheckoutSession{"cs_bench_" + r.paymentId,
                                         "https://checkout.stripe.com/c/pay/cs_bench_" + r.paymentId};
    }
    expected<std::string, std::string> refund(const payments::RefundRequest&) override {
        return unexpected(std::string("the seeder refunds nothing"));
    }
};

[[noreturn]] void fail(const std::string& what, const domain::DomainError& e) {
    throw std::runtime_error(what + ": " + e.code + ": " + e.message);
}

std::string hexOf(const std::string& uuid) {
    std::string s;
    for (const char ch : uuid) {
        if (ch != '-') s += ch;
    }
    return s;
}

// The body Stripe delivers when the student has paid: the fields the notice reads, and the
// customer's details as Stripe sends them (the notice keeps none of them).
std::string completion(const payments::PaymentRow& p, std::int64_t createdS, int student) {
    const json body{{"id", "evt_bench_" + hexOf(p.id)},
                    {"object", "event"},
                    {"api_version", "2024-06-20"},
                    {"created", createdS},
                    {"livemode", false},
                    {"type", "checkout.session.completed"},
                    {"data",
                     {{"object",
                       {{"id", p.providerRef},
                        {"object", "checkout.session"},
                        {"client_reference_id", p.id},
                        {"amount_total", p.amount},
                        {"currency",
                         [&] {
                             std::string c = p.currency;
                             for (auto& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                             return c;
                         }()},
                        {"mode", "payment"},
                        {"payment_status", "paid"},
                        {"status", "complete"},
                        {"payment_intent", "pi_bench_" + hexOf(p.id)},
                        {"customer_details",
                         {{"email", "seed-student-" + std::to_string(student) + "@example.com"},
                          {"name", "Seed Student " + std::to_string(student)}}}}}}}};
    return body.dump();
}

struct Seeded {
    std::int64_t registered = 0, checkouts = 0;
    double registerS = 0, checkoutS = 0;  // time spent in each, summed over the connections
};

// Registers students s ≡ part (mod parts); each opens a checkout of courses[k] and signs its
// completion into lines[s * courses + k], for every k while lines last.
Seeded seed(const Config& config, const identity::Settings& settings, const Options& o,
            const std::vector<std::string>& courses, std::size_t part, std::size_t parts,
            std::vector<std::string>& lines) {
    pg::Connection c(config.databaseUrl);
    identity::Commands people(c, Clock::system(), settings);
    payments::Commands payments(c, Clock::system());
    StandInStripe stripe;
    Seeded n;
    for (std::size_t s = part; s * courses.size() < lines.size(); s += parts) {
        const int student = static_cast<int>(s);
        const std::string email = "seed-student-" + std::to_string(student) + "@example.com";
        const auto t0 = std::chrono::steady_clock::now();
        auto r = people.registerUser({email, "correct horse battery staple", "Seed", "Student", "STUDENT", false},
                                     {"seed_payments", "seed-" + newUuid(), ""});
        if (!r) fail("register " + email, r.error());
        ++n.registered;
        const std::string studentId = r->userId.value();
        const auto t1 = std::chrono::steady_clock::now();
        n.registerS += std::chrono::duration<double>(t1 - t0).count();
        for (std::size_t k = 0; k < courses.size() && s * courses.size() + k < lines.size(); ++k) {
            auto made = payments.checkout(studentId, courses[k], stripe, {studentId, "seed-" + newUuid(), ""});
            if (!made) fail("checkout for " + email, made.error());
            ++n.checkouts;
            const std::string body = completion(*made, Clock::system().nowSeconds(), student);
            lines[s * courses.size() + k] = webhook::signStripe(body, o.secret, Clock::system().nowSeconds()) + "\t" +
                                            body;
        }
        n.checkoutS += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    }
    return n;
}

int run(const Options& o) {
    const auto config = Config::fromEnvironment();
    log::setup(config.logLevel, config.logFormat);
    const auto masterKeys = eventstore::MasterKeys::fromConfig(config);
    masterKeys.install();
    pg::Connection c(config.databaseUrl);
    eventstore::migrate(c);
    {
        projections::catalog::Catalog catalogModel;
        projections::enrollment::Enrollments enrollmentModel;
        projections::identity::Identity identityModel;
        projections::payments::Payments paymentModel;
        for (projections::Projection* p : std::initializer_list<projections::Projection*>{
                 &catalogModel, &enrollmentModel, &identityModel, &paymentModel}) {
            projections::ensure(c, *p);
        }
    }

    // The password hash's cost is the lowest Argon2 allows: nobody signs in as them.
    identity::Settings settings;
    settings.cost = {1, 8, 1};
    settings.secret = serverSecret(config);
    identity::Commands people(c, Clock::system(), settings);
    const auto registered = [&](const std::string& email, const std::string& role) {
        auto r = people.registerUser({email, "correct horse battery staple", "Seed", role, role, role == "ADMIN"},
                                     {"seed_payments", "seed-" + newUuid(), ""});
        if (!r) fail("register " + email, r.error());
        return dc::Actor{r->userId.value(), role};
    };
    const auto admin = registered("seed-payments-admin@example.com", "ADMIN");
    const auto author = registered("seed-payments-instructor@example.com", "INSTRUCTOR");

    // The courses every student buys: the least a course needs to be published.
    catalog::Commands catalog(c, Clock::system());
    const domain::Metadata meta{author.userId, "seed-" + newUuid(), ""};
    std::vector<std::string> courses;
    for (int k = 0; k < o.courses; ++k) {
        const dc::CourseDetails details{"Webhooks at Scale, Part " + std::to_string(k + 1),
                                        "What happens after a payment provider says a student has paid.",
                                        o.price,
                                        "USD",
                                        std::string(dc::kCategoryNames[0]),
                                        std::string(dc::kDifficultyNames[0]),
                                        {"payments"}};
        auto created = catalog.create(author, details, meta);
        if (!created) fail("create a course", created.error());
        const auto id = created->courseId;
        auto section = catalog.apply(id, dc::AddSection{author, dc::SectionId(""), "Part 1", {}, {}, 0}, meta);
        if (!section) fail("add a section", section.error());
        dc::LectureDetails lecture;
        lecture.title = "Lesson 1";
        lecture.content = "A notice is stored once and processed from the store.";
        lecture.durationMinutes = 10;
        lecture.type = "TEXT";
        auto added = catalog.apply(
            id, dc::AddLecture{author, dc::SectionId(section->createdId), dc::LectureId(""), lecture, {}, {}, 0}, meta);
        if (!added) fail("add a lecture", added.error());
        if (auto s = catalog.apply(id, dc::SubmitCourse{author, {}, 0}, meta); !s) fail("submit", s.error());
        if (auto a = catalog.apply(id, dc::ApproveCourse{admin, {}, 0}, {admin.userId, meta.correlationId, ""}); !a)
            fail("approve", a.error());
        courses.push_back(id.value());
    }

    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> lines(static_cast<std::size_t>(o.payments));
    const auto parts = static_cast<std::size_t>(o.threads);
    std::vector<Seeded> done(parts);
    std::vector<std::exception_ptr> failures(parts);
    {
        std::vector<std::jthread> workers;
        for (std::size_t t = 0; t < parts; ++t) {
            workers.emplace_back([&, t] {
                try {
                    done[t] = seed(config, settings, o, courses, t, parts, lines);
                } catch (...) {
                    failures[t] = std::current_exception();
                }
            });
        }
    }
    for (const auto& f : failures) {
        if (f) std::rethrow_exception(f);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
    for (const auto& l : lines) out << l << '\n';
    out.close();
    if (!out) throw std::runtime_error("cannot write " + o.out);

    Seeded total;
    for (const auto& d : done) {
        total.registered += d.registered;
        total.checkouts += d.checkouts;
        total.registerS += d.registerS;
        total.checkoutS += d.checkoutS;
    }
    std::printf(
        "seeded: %d payments (%lld students registered, %lld checkouts) in %.1f s (%.0f payments/s), %d threads; "
        "%.2f ms per registration and %.2f ms per checkout, on each connection\n",
        o.payments, static_cast<long long>(total.registered), static_cast<long long>(total.checkouts), seconds,
        static_cast<double>(total.checkouts) / seconds, o.threads,
        total.registerS * 1000 / static_cast<double>(total.registered),
        total.checkoutS * 1000 / static_cast<double>(total.checkouts));
    std::printf("courses: %d at %lld USD minor units, first %s\n", o.courses, static_cast<long long>(o.price),
                courses.front().c_str());
    std::printf("sample: %s\n", lines.front().substr(lines.front().find('\t') + 1).c_str());
    return 0;
}

}  // namespace
}  // namespace lms::bench

int main(int argc, char** argv) {
    lms::tuneAllocator();
    try {
        return lms::bench::run(lms::bench::parse(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "seed_payments: %s\n", e.what());
        return 1;
    }
}
