#include "api/catalog/commands.hpp"

#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "common/sha256.hpp"
#include "domain/catalog/slug.hpp"
#include "projections/catalog/projection.hpp"
#include "projections/runner.hpp"

namespace lms::catalog {
namespace {

namespace dc = domain::catalog;
using Kind = DomainError::Kind;

constexpr int kSlugAttempts = 20;
constexpr const char* kSlugTaken = "slug_taken";

// The slug a written event claims, if any.
std::optional<std::string> slugOf(const eventstore::RecordedEvent& e) {
    if (e.type != dc::CourseCreated::kType && e.type != dc::CourseUpdated::kType) return std::nullopt;
    const auto data = nlohmann::json::parse(e.data, nullptr, false);
    if (!data.is_object() || !data.contains("slug") || !data["slug"].is_string()) return std::nullopt;
    return data["slug"].get<std::string>();
}

template <class C>
void stamp(C& c, std::int64_t at) {
    c.at = at;
}

}  // namespace

Commands::Commands(pg::Connection& c, const Clock& clock, CommitObserver observer)
    : c_(c), clock_(clock), observer_(std::move(observer)) {}

std::string Commands::freeSlug(const CourseId& course, const std::string& title, int skip) {
    const std::string base = dc::slugify(title);
    const std::string owner = dc::courseStream(course);
    for (int n = 1, free = 0;; ++n) {
        std::string candidate = dc::slugCandidate(base, n);
        const auto r = c_.query("SELECT owner FROM lms_reservations WHERE scope = $1 AND value_hash = $2",
                                {kSlugScope, sha256Hex(candidate)});
        // Free, or already this course's (a title given back): usable.
        if ((r.rows() == 0 || r.str(0, 0) == owner) && free++ >= skip) return candidate;
    }
}

Result<Changed> Commands::create(const Actor& actor, const dc::CourseDetails& details, const Metadata& meta) {
    const CourseId id(newUuid());
    for (int attempt = 0; attempt < kSlugAttempts; ++attempt) {
        const dc::CreateCourse command{id, actor, freeSlug(id, dc::normalised(details).title, attempt), details,
                                       clock_.nowUs()};
        auto done = run(id, command, meta, "");
        if (done || done.error().code != kSlugTaken) return done;
    }
    return unexpected(DomainError{Kind::Conflict, "concurrency_conflict", "no free slug was found; try again", "", {}});
}

Result<Changed> Commands::apply(const CourseId& course, dc::Course::Command command, const Metadata& meta) {
    const auto now = clock_.nowUs();
    std::visit([&](auto& c) { stamp(c, now); }, command);
    std::string createdId;
    if (auto* c = std::get_if<dc::AddSection>(&command)) {
        c->sectionId = dc::SectionId(newUuid());
        createdId = c->sectionId.value();
    } else if (auto* l = std::get_if<dc::AddLecture>(&command)) {
        l->lectureId = dc::LectureId(newUuid());
        createdId = l->lectureId.value();
    }
    auto* update = std::get_if<dc::UpdateCourse>(&command);
    for (int attempt = 0; attempt < kSlugAttempts; ++attempt) {
        if (update && update->title) update->slug = freeSlug(course, dc::normalised({*update->title}).title, attempt);
        auto done = run(course, command, meta, createdId);
        if (done || done.error().code != kSlugTaken || !update) return done;
    }
    return unexpected(DomainError{Kind::Conflict, "concurrency_conflict", "no free slug was found; try again", "", {}});
}

Result<Changed> Commands::run(const CourseId& course, const dc::Course::Command& command, const Metadata& meta,
                              const std::string& createdId) {
    const std::string stream = dc::courseStream(course);
    eventstore::CommandOptions options;
    options.withinTransaction =
        [&](pg::Connection& c, const std::vector<eventstore::RecordedEvent>& written) -> std::optional<DomainError> {
        for (const auto& e : written) {
            const auto slug = slugOf(e);
            if (!slug) continue;
            // The slug is the course's for good (old ones keep resolving), reserved with the event.
            const auto r = c.query(
                "INSERT INTO lms_reservations (scope, value_hash, owner) VALUES ($1, $2, $3) "
                "ON CONFLICT (scope, value_hash) DO UPDATE SET owner = lms_reservations.owner "
                "RETURNING owner",
                {kSlugScope, sha256Hex(*slug), stream});
            if (r.str(0, 0) != stream) {
                return DomainError{Kind::Conflict, kSlugTaken, "another course took the slug meanwhile", "title", {}};
            }
        }
        projections::catalog::Catalog readModel;
        projections::applyInline(c, readModel, written);
        return std::nullopt;
    };
    auto done = eventstore::handleCommand<dc::Course>(c_, stream, command, meta, options);
    if (!done) return unexpected(done.error());
    if (!done->events.empty() && observer_) observer_(done->events);
    return Changed{course, done->version.value(), createdId};
}

}  // namespace lms::catalog
