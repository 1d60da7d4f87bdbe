#pragma once
// The catalog context's use cases, callable without HTTP: each runs the command loop with the
// course decider, reserves a new slug in the append's transaction (scope kSlugScope, like the
// email's), applies the read model inline (read-your-writes), and returns a value or the
// DomainError that refused it. The routes (routes.*) only parse and answer.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/expected.hpp"
#include "domain/catalog/course.hpp"
#include "eventstore/command_loop.hpp"

namespace lms::catalog {

using domain::DomainError;
using domain::Metadata;
using domain::catalog::Actor;
using domain::catalog::CourseId;

// Scope of a slug's reservation (lms_reservations): value sha256(slug), owner the course stream.
inline constexpr const char* kSlugScope = "course-slug";

using CommitObserver = std::function<void(const std::vector<eventstore::RecordedEvent>&)>;
template <class T>
using Result = expected<T, DomainError>;

struct Changed {
    CourseId courseId;
    std::int64_t version = 0;  // the course's, after the command: the new ETag
    std::string createdId;     // the section's or lecture's id, when the command made one
};

class Commands {
public:
    Commands(pg::Connection& c, const Clock& clock, CommitObserver observer = {});

    // A draft with a free slug derived from the title.
    Result<Changed> create(const Actor& actor, const domain::catalog::CourseDetails& details, const Metadata& meta);
    // Any command on an existing course. Its time is set here; a new section or lecture gets its
    // id here (returned in createdId); a new title gets a free slug here.
    Result<Changed> apply(const CourseId& course, domain::catalog::Course::Command command, const Metadata& meta);

private:
    Result<Changed> run(const CourseId& course, const domain::catalog::Course::Command& command, const Metadata& meta,
                        const std::string& createdId);
    // The first of title's slug candidates that no other course holds.
    std::string freeSlug(const CourseId& course, const std::string& title, int skip);

    pg::Connection& c_;
    const Clock& clock_;
    CommitObserver observer_;
};

}  // namespace lms::catalog
