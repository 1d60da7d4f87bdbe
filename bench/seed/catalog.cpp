// Seeds a catalog of published courses for `ops/bench http` through the catalog's own use cases.
//
// Each course is created by an instructor (a user registered through identity's use case, so
// that the listing's instructor name is a real join), given sections and lectures, submitted and
// approved by an admin: the events, slugs and reservations the HTTP routes would write, without
// 70,000 HTTP requests. Titles, descriptions and tags are generated from a fixed seed (the same
// catalog every run): words drawn from a Zipf distribution, as in real text, so that a search for
// a mid-frequency word matches a few hundred courses; some titles are accented, some in other
// scripts. Run it on a migrated database before `lms serve` (which then builds the read models
// from the events at start). Configuration from the LMS_* environment, like `lms`.
//
// Prints, for bench/http.sh to read:
//   seeded: N courses, M events in S s
//   detail: <course id>         a course of 3 sections of 3 lectures, for the detail page
//   search: <word> <courses>    a word in about --search-hits courses' text, for q=
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/catalog/commands.hpp"
#include "api/identity/commands.hpp"
#include "common/allocator.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/secrets.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/master_keys.hpp"

namespace lms::bench {
namespace {

namespace dc = domain::catalog;

struct Options {
    int courses = 10000;
    int instructors = 50;
    int threads = 4;  // each its own connection: appends share WAL flushes
    int searchHits = 300;
    unsigned seed = 1;
};

[[noreturn]] void usage(const std::string& bad) {
    std::fprintf(stderr,
                 "seed_catalog: bad argument '%s'\n"
                 "usage: seed_catalog [--courses=N] [--instructors=N] [--threads=N] [--search-hits=N] [--seed=N]\n",
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
        int value = 0;
        try {
            value = std::stoi(a.substr(eq + 1));
        } catch (const std::exception&) {
            usage(a);
        }
        if (value < 1) usage(a);
        if (key == "--courses") o.courses = value;
        else if (key == "--instructors") o.instructors = value;
        else if (key == "--threads") o.threads = value;
        else if (key == "--search-hits") o.searchHits = value;
        else if (key == "--seed") o.seed = static_cast<unsigned>(value);
        else usage(a);
    }
    return o;
}

// What the titles are about: English, accented Latin, and other scripts.
constexpr const char* kTopics[] = {
    "Python",
    "Rust",
    "JavaScript",
    "TypeScript",
    "Go",
    "C++",
    "SQL",
    "PostgreSQL",
    "Kubernetes",
    "Docker",
    "Linux",
    "Machine Learning",
    "Data Science",
    "Statistics",
    "Calculus",
    "Linear Algebra",
    "Web Design",
    "UX Research",
    "Typography",
    "Illustration",
    "Watercolour",
    "Oil Painting",
    "Photography",
    "Film Editing",
    "Sound Design",
    "Guitar",
    "Piano",
    "Music Theory",
    "Songwriting",
    "Jazz Harmony",
    "Public Speaking",
    "Negotiation",
    "Leadership",
    "Project Management",
    "Accounting",
    "Marketing",
    "Copywriting",
    "SEO",
    "Personal Finance",
    "Investing",
    "Meditation",
    "Yoga",
    "Nutrition",
    "Cooking",
    "Baking",
    "Gardening",
    "Woodworking",
    "Chess",
    "Drawing",
    "Animation",
    "Café Culture",
    "Crème Brûlée",
    "Español Básico",
    "Français des affaires",
    "Économie",
    "Ölmalerei",
    "Fotografía",
    "Smörgåsbord",
    "Café Latte Art",
    "Pâtisserie",
    "Bossa Nova",
    "Flamenco",
    "Origami",
    "Calligraphy",
    "Øresund History",
};
constexpr const char* kLeads[] = {"Introduction to", "Mastering",   "Practical", "Advanced", "Hands-on",
                                  "The Complete",    "Modern",      "Essential", "Applied",  "A Beginner's Guide to",
                                  "Everyday",        "Professional"};
constexpr const char* kTails[] = {
    "",          " for Beginners", " in 30 Days",   " from Scratch",   ": Theory and Practice", " for Professionals",
    " Bootcamp", " Masterclass",   " Step by Step", ", the Hard Parts"};
// Titles in other scripts: a lead and a subject, so that they vary.
struct Script {
    std::vector<const char*> leads, subjects;
};
const std::vector<Script> kScripts = {
    {{"Основы", "Курс", "Практикум", "Введение в"}, {"программирования", "фотографии", "рисования", "экономики"}},
    {{"入門", "実践", "基礎", "上級"}, {"日本語", "写真", "料理", "書道"}},
    {{"Εισαγωγή στην", "Πρακτική", "Βασική"}, {"μαγειρική", "φιλοσοφία", "φωτογραφία", "ιστορία"}},
    {{"مقدمة في", "أساسيات", "دورة"}, {"البرمجة", "التصميم", "التصوير", "الخط العربي"}},
    {{"Українська", "Основи", "Курс"}, {"для початківців", "граматики", "програмування", "історії"}},
    {{"한국어", "기초", "실전"}, {"회화", "문법", "요리", "사진"}},
};
constexpr const char* kTags[] = {"beginner",  "web",      "data",     "design", "career",   "certificate",  "hobby",
                                 "creative",  "backend",  "frontend", "cloud",  "devops",   "security",     "ai",
                                 "analytics", "business", "finance",  "health", "language", "music",        "art",
                                 "photo",     "video",    "writing",  "math",   "science",  "productivity", "wellness",
                                 "food",      "craft",    "history",  "travel", "español",  "français",     "日本語",
                                 "русский",   "café",     "mobile",   "games",  "teaching"};
constexpr const char* kCurrencies[] = {"USD", "EUR", "GBP", "INR"};

// Word-like strings made of syllables, none a prefix of another (q's last word matches as a
// prefix), at least three syllables so that no real word above starts with one.
std::vector<std::string> vocabulary(std::mt19937_64& rng, std::size_t n) {
    constexpr const char* kOnsets[] = {"b", "d", "f", "g", "k", "l", "m",  "n",
                                       "p", "r", "s", "t", "v", "z", "br", "tr"};
    constexpr const char* kVowels[] = {"a", "e", "i", "o", "u", "ai", "ou"};
    std::set<std::string> words;
    while (words.size() < n * 2) {
        std::string w;
        const int syllables = 3 + static_cast<int>(rng() % 2);
        for (int s = 0; s < syllables; ++s) {
            w += kOnsets[rng() % std::size(kOnsets)];
            w += kVowels[rng() % std::size(kVowels)];
        }
        words.insert(w);
    }
    std::vector<std::string> sorted(words.begin(), words.end());
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i + 1 < sorted.size() && sorted[i + 1].rfind(sorted[i], 0) == 0) continue;
        kept.push_back(sorted[i]);
    }
    std::shuffle(kept.begin(), kept.end(), rng);  // the rank (frequency) is random, not alphabetical
    kept.resize(std::min(kept.size(), n));
    return kept;
}

// Draws ranks 0..n-1 with P(r) ∝ 1/(r+1): word frequencies of natural text.
class Zipf {
public:
    explicit Zipf(std::size_t n) {
        double sum = 0;
        for (std::size_t r = 0; r < n; ++r) cdf_.push_back(sum += 1.0 / static_cast<double>(r + 1));
        for (auto& c : cdf_) c /= sum;
    }
    std::size_t operator()(std::mt19937_64& rng) const {
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        return std::min<std::size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin(), cdf_.size() - 1);
    }

private:
    std::vector<double> cdf_;
};

struct Lecture {
    dc::LectureDetails details;
};
struct Section {
    std::string title;
    std::vector<Lecture> lectures;
};
struct Plan {
    dc::CourseDetails details;
    std::vector<Section> sections;
    std::size_t instructor = 0;
    std::set<std::string> words;  // of its search document, for choosing the search word
};

class Generator {
public:
    explicit Generator(unsigned seed) : rng_(seed), words_(vocabulary(rng_, 4000)), zipf_(words_.size()) {}
    const std::vector<std::string>& words() const { return words_; }

    Plan course(std::size_t index, std::size_t instructors, bool large) {
        Plan p;
        p.instructor = index % instructors;
        auto& d = p.details;
        const int kind = static_cast<int>(rng_() % 100);
        if (kind < 6) {
            const auto& s = kScripts[rng_() % kScripts.size()];
            d.title = std::string(s.leads[rng_() % s.leads.size()]) + " " + s.subjects[rng_() % s.subjects.size()];
        } else {
            d.title = std::string(kLeads[rng_() % std::size(kLeads)]) + " " + kTopics[rng_() % std::size(kTopics)] +
                      kTails[rng_() % std::size(kTails)];
        }
        d.description = text(3 + static_cast<int>(rng_() % 4), p.words);
        d.price = rng_() % 10 == 0 ? 0 : 999 + static_cast<std::int64_t>(rng_() % 190) * 100;
        d.currency = kCurrencies[rng_() % std::size(kCurrencies)];
        d.category = std::string(dc::kCategoryNames[rng_() % std::size(dc::kCategoryNames)]);
        d.difficulty = std::string(dc::kDifficultyNames[rng_() % std::size(dc::kDifficultyNames)]);
        const int tags = 2 + static_cast<int>(rng_() % 4);
        std::set<std::string> seen;
        for (int t = 0; t < tags; ++t) {
            std::string tag = rng_() % 3 == 0 ? words_[zipf_(rng_)] : kTags[rng_() % std::size(kTags)];
            if (seen.insert(tag).second) d.tags.push_back(tag);
        }
        for (const auto& t : d.tags) p.words.insert(t);  // titles never hold a generated word

        const int sections = large ? 3 : (rng_() % 5 == 0 ? 2 : 1);
        for (int s = 0; s < sections; ++s) {
            Section section{"Part " + std::to_string(s + 1) + ": " + words_[zipf_(rng_)], {}};
            const int lectures = large ? 3 : 1 + static_cast<int>(rng_() % 2);
            for (int l = 0; l < lectures; ++l) {
                dc::LectureDetails ld;
                std::set<std::string> ignored;
                ld.title = "Lesson " + std::to_string(l + 1) + ": " + words_[zipf_(rng_)] + " " + words_[zipf_(rng_)];
                ld.content = text(2, ignored);
                ld.durationMinutes = 3 + static_cast<std::int64_t>(rng_() % 58);
                ld.preview = s == 0 && l == 0;
                ld.type = rng_() % 4 == 0 ? "TEXT" : "VIDEO";
                if (rng_() % 3 == 0) ld.resourceUrls = {"https://example.com/resources/" + std::to_string(index)};
                section.lectures.push_back({ld});
            }
            p.sections.push_back(std::move(section));
        }
        return p;
    }

private:
    // Sentences of 8 to 15 words drawn by frequency.
    std::string text(int sentences, std::set<std::string>& used) {
        std::string out;
        for (int s = 0; s < sentences; ++s) {
            const int n = 8 + static_cast<int>(rng_() % 8);
            for (int w = 0; w < n; ++w) {
                std::string word = words_[zipf_(rng_)];
                used.insert(word);
                if (w == 0) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
                out += word;
                out += w + 1 == n ? ". " : " ";
            }
        }
        if (!out.empty()) out.pop_back();
        return out;
    }

    std::mt19937_64 rng_;
    std::vector<std::string> words_;
    Zipf zipf_;
};

[[noreturn]] void fail(const std::string& what, const domain::DomainError& e) {
    std::string detail = e.code + ": " + e.message;
    for (const auto& f : e.errors) detail += "; " + f.field + " " + f.message;
    throw std::runtime_error(what + ": " + detail);
}

// Creates, fills, submits and approves plans[i] for every i ≡ part (mod parts); returns the
// commands run.
std::int64_t publish(const std::string& url, const std::vector<Plan>& plans, const std::vector<dc::Actor>& instructors,
                     const dc::Actor& admin, std::size_t part, std::size_t parts, std::vector<std::string>& ids) {
    pg::Connection c(url);
    catalog::Commands commands(c, Clock::system());
    std::int64_t n = 0;
    for (std::size_t i = part; i < plans.size(); i += parts) {
        const Plan& p = plans[i];
        const auto& author = instructors[p.instructor];
        const domain::Metadata meta{author.userId, "seed-" + newUuid(), ""};
        auto created = commands.create(author, p.details, meta);
        if (!created) fail("create", created.error());
        const auto id = created->courseId;
        ids[i] = id.value();
        ++n;
        for (const auto& s : p.sections) {
            auto section = commands.apply(id, dc::AddSection{author, dc::SectionId(""), s.title, {}, {}, 0}, meta);
            if (!section) fail("add section", section.error());
            ++n;
            for (const auto& l : s.lectures) {
                auto lecture = commands.apply(
                    id,
                    dc::AddLecture{author, dc::SectionId(section->createdId), dc::LectureId(""), l.details, {}, {}, 0},
                    meta);
                if (!lecture) fail("add lecture", lecture.error());
                ++n;
            }
        }
        auto submitted = commands.apply(id, dc::SubmitCourse{author, {}, 0}, meta);
        if (!submitted) fail("submit", submitted.error());
        auto approved = commands.apply(id, dc::ApproveCourse{admin, {}, 0}, {admin.userId, meta.correlationId, ""});
        if (!approved) fail("approve", approved.error());
        n += 2;
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

    // The people: an admin who approves, instructors who author (names for the listing's join).
    // The password hash's cost is the lowest Argon2 allows: nobody signs in as them.
    identity::Settings settings;
    settings.cost = {1, 8, 1};
    settings.secret = serverSecret(config);
    identity::Commands people(c, Clock::system(), settings);
    const std::string password = "correct horse battery staple";
    const auto registered = [&](const std::string& email, const std::string& first, const std::string& last,
                                const std::string& role) {
        auto r = people.registerUser({email, password, first, last, role, role == "ADMIN"},
                                     {"seed_catalog", "seed-" + newUuid(), ""});
        if (!r) fail("register " + email, r.error());
        return dc::Actor{r->userId.value(), role};
    };
    const auto admin = registered("seed-admin@example.com", "Seed", "Admin", "ADMIN");
    constexpr const char* kFirst[] = {"Ada", "José",  "Chloé", "Jürgen", "Amara",
                                      "Wei", "Олена", "Kenji", "Søren",  "Priya"};
    constexpr const char* kLast[] = {"Lovelace", "García", "Dubois", "Müller",   "Okafor",
                                     "Zhang",    "Коваль", "Tanaka", "Ødegaard", "Iyer"};
    std::vector<dc::Actor> instructors;
    for (int i = 0; i < o.instructors; ++i) {
        instructors.push_back(registered("seed-instructor-" + std::to_string(i) + "@example.com",
                                         kFirst[i % std::size(kFirst)], kLast[(i / 10 + i) % std::size(kLast)],
                                         "INSTRUCTOR"));
    }

    Generator gen(o.seed);
    std::vector<Plan> plans;
    plans.reserve(static_cast<std::size_t>(o.courses));
    for (int i = 0; i < o.courses; ++i) {
        plans.push_back(gen.course(static_cast<std::size_t>(i), instructors.size(), i % 10 == 0));
    }

    // The generated word whose courses are closest to --search-hits.
    std::map<std::string, int> frequency;
    for (const auto& p : plans) {
        for (const auto& w : p.words) ++frequency[w];
    }
    std::string searchWord;
    int searchCourses = 0;
    for (const auto& w : gen.words()) {
        const int f = frequency.count(w) != 0 ? frequency[w] : 0;
        if (searchWord.empty() || std::abs(f - o.searchHits) < std::abs(searchCourses - o.searchHits)) {
            searchWord = w;
            searchCourses = f;
        }
    }

    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> ids(plans.size());
    std::vector<std::int64_t> commands(static_cast<std::size_t>(o.threads), 0);
    std::vector<std::exception_ptr> failures(static_cast<std::size_t>(o.threads));
    {
        std::vector<std::jthread> workers;
        for (std::size_t t = 0; t < static_cast<std::size_t>(o.threads); ++t) {
            workers.emplace_back([&, t] {
                try {
                    commands[t] = publish(config.databaseUrl, plans, instructors, admin, t,
                                          static_cast<std::size_t>(o.threads), ids);
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
    std::int64_t total = 0;
    for (const auto n : commands) total += n;
    std::printf("seeded: %d courses, %lld commands (one event each) in %.1f s (%.0f/s), %d instructors, %d threads\n",
                o.courses, static_cast<long long>(total), seconds, static_cast<double>(total) / seconds, o.instructors,
                o.threads);
    std::printf("detail: %s\n", ids.front().c_str());
    std::printf("search: %s %d\n", searchWord.c_str(), searchCourses);
    return 0;
}

}  // namespace
}  // namespace lms::bench

int main(int argc, char** argv) {
    lms::tuneAllocator();
    try {
        return lms::bench::run(lms::bench::parse(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "seed_catalog: %s\n", e.what());
        return 1;
    }
}
