#include "projections/catalog/queries.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/ids.hpp"
#include "projections/projection.hpp"
#include "projections/catalog/sql.hpp"

namespace lms::projections::catalog {
namespace {

// A visitor's q is cut to this many words of at most this many bytes: enough for any real
// search, and a bound on the tsquery whatever arrives.
constexpr std::size_t kMaxWords = 16;
constexpr std::size_t kMaxWordBytes = 100;
constexpr int kMaxLimit = 100;
// Weights of D, C, B, A (description C, tags B, title A). With ts_rank (not ts_rank_cd, whose
// cover density adds up without bound), a word however often in a lower field ranks below one
// occurrence in a higher field: a title match comes before a tag match before a description match.
constexpr const char* kWeights = "'{0.05, 0.1, 0.3, 1.0}'";

// The columns courseRow() reads: lms_rm.courses c, its instructor u (identity's read model) and
// its current lectures counted in l (kCourseFrom).
const std::string kCourseColumns =
    "c.course_id::text, c.slug, c.title, c.description, c.price, c.currency, c.category, c.difficulty, "
    "array_to_json(c.tags)::text, c.status, coalesce(c.instructor_id::text, ''), "
    "CASE WHEN u.status IS NULL OR u.status = 'DELETED' THEN '' "
    "ELSE btrim(concat_ws(' ', u.first_name, u.last_name)) END, "
    "c.rejection_reason, c.version, l.lectures, l.minutes, " +
    rfc3339("c.created_at") + ", " + rfc3339("c.updated_at") + ", " + rfc3339("c.published_at") + ", " +
    rfc3339("c.submitted_at");
// What a course row shows beside its own columns: the instructor's name, the lecture totals.
constexpr const char* kCourseJoins =
    " LEFT JOIN lms_rm.users u ON u.user_id = c.instructor_id "
    "CROSS JOIN LATERAL (SELECT count(*) AS lectures, coalesce(sum(x.duration_minutes), 0) AS minutes "
    "FROM lms_rm.lectures x WHERE x.course_id = c.course_id) l";
const std::string kCourseFrom = std::string(" FROM lms_rm.courses c") + kCourseJoins;

std::vector<std::string> strings(std::string_view jsonArray) {
    const auto j = nlohmann::json::parse(jsonArray, nullptr, false);
    std::vector<std::string> out;
    if (!j.is_array()) return out;
    for (const auto& v : j) {
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
}

std::optional<std::string> nullable(const pg::Result& r, int row, int col) {
    if (r.isNull(row, col)) return std::nullopt;
    return r.str(row, col);
}

CourseRow courseRow(const pg::Result& r, int i) {
    CourseRow out;
    out.id = CourseId(r.str(i, 0));
    out.slug = r.str(i, 1);
    out.title = r.str(i, 2);
    out.description = r.str(i, 3);
    out.price = r.i64(i, 4);
    out.currency = r.str(i, 5);
    out.category = r.str(i, 6);
    out.difficulty = r.str(i, 7);
    out.tags = strings(r.get(i, 8));
    out.status = r.str(i, 9);
    out.instructorId = r.str(i, 10);
    out.instructorName = r.str(i, 11);
    out.rejectionReason = r.str(i, 12);
    out.version = r.i64(i, 13);
    out.lectureCount = r.i64(i, 14);
    out.totalMinutes = r.i64(i, 15);
    out.createdAt = r.str(i, 16);
    out.updatedAt = r.str(i, 17);
    out.publishedAt = nullable(r, i, 18);
    out.submittedAt = nullable(r, i, 19);
    return out;
}

// The byte length of the UTF-8 code point at s[i], 0 when the bytes there are not UTF-8
// (overlong forms, surrogates and values past U+10FFFF included).
std::size_t codePointLength(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b = byte(i);
    if (b < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
    if (b >= 0xC2 && b <= 0xDF) n = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    }
    return n;
}

bool validUtf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto n = codePointLength(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

bool isAsciiAlnum(unsigned char b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
}

// The words of a visitor's q: runs of ASCII letters and digits and of any other character (any
// script's letters). Everything else separates words and never reaches SQL: ASCII punctuation
// (tsquery's `&`, `|`, `!`, `:*`, quotes, backslashes, parentheses), control bytes and bytes that
// are not UTF-8. What separates words outside ASCII (CJK punctuation, U+3000) is left to the
// parser, which treats the query's words as it treated the documents.
std::vector<std::string> wordsOf(std::string_view q) {
    std::vector<std::string> words;
    std::string word;
    bool cut = false;  // the current word reached kMaxWordBytes: the rest of it is dropped
    auto flush = [&] {
        if (!word.empty() && words.size() < kMaxWords) words.push_back(word);
        word.clear();
        cut = false;
    };
    for (std::size_t i = 0; i < q.size() && words.size() < kMaxWords;) {
        const auto n = codePointLength(q, i);
        const bool letter = n > 1 || (n == 1 && isAsciiAlnum(static_cast<unsigned char>(q[i])));
        if (!letter) {
            flush();
            i += n == 0 ? 1 : n;
            continue;
        }
        if (!cut && word.size() + n <= kMaxWordBytes) word.append(q.substr(i, n));
        else cut = true;
        i += n;
    }
    flush();
    return words;
}

// The tsquery of the words, made in SQL from the lexemes PostgreSQL's parser finds in them after
// the documents' normalisation (sql::lexemes), each quoted as a tsquery operand; the words ANDed,
// the last one that has lexemes as a prefix. Nothing when no word has a lexeme.
std::optional<std::string> tsqueryOf(pg::Connection& c, const std::vector<std::string>& words) {
    if (words.empty()) return std::nullopt;
    const auto r = c.query(
        "SELECT (string_agg(quoted || CASE WHEN n = last THEN ':*' ELSE '' END, ' & ' ORDER BY n, lexeme))"
        "::tsquery::text FROM (SELECT w.n, l.lexeme, max(w.n) OVER () AS last, "
        R"sql('''' || replace(replace(l.lexeme, '\', '\\'), '''', '''''') || '''' AS quoted )sql"
        "FROM unnest($1::text[]) WITH ORDINALITY AS w(word, n) CROSS JOIN LATERAL unnest(tsvector_to_array(" +
            sql::lexemes("w.word") + ")) AS l(lexeme)) t",
        {sql::textArray(words)});
    if (r.isNull(0, 0)) return std::nullopt;
    return r.str(0, 0);
}

std::string limitOf(const PageRequest& p) { return std::to_string(std::clamp(p.limit, 1, kMaxLimit)); }
std::string offsetOf(const PageRequest& p) { return std::to_string(std::max<std::int64_t>(0, p.offset())); }

// A page of courses: the count and the rows under the same WHERE (on c), then LIMIT and OFFSET
// as the two parameters after `params`.
Page<CourseRow> page(pg::Connection& c, const std::string& where, const std::string& orderBy, pg::Params params,
                     const PageRequest& request) {
    Page<CourseRow> out;
    out.totalItems = c.query("SELECT count(*) FROM lms_rm.courses c WHERE " + where, params).i64(0, 0);
    if (out.totalItems == 0) return out;
    const auto n = params.size();
    params.emplace_back(limitOf(request));
    params.emplace_back(offsetOf(request));
    // The page is chosen first and only its rows are joined: a search matching 300 courses
    // ranked and cut to 20 before the instructor and lecture totals of 20 are looked up (4.9 ms
    // down to 0.9 ms in psql, bench/README.md).
    const auto r = c.query("SELECT " + kCourseColumns + " FROM (SELECT * FROM lms_rm.courses c WHERE " + where +
                               " ORDER BY " + orderBy + " LIMIT $" + std::to_string(n + 1) + " OFFSET $" +
                               std::to_string(n + 2) + ") c" + kCourseJoins + " ORDER BY " + orderBy,
                           params);
    for (int i = 0; i < r.rows(); ++i) out.items.push_back(courseRow(r, i));
    return out;
}

std::optional<CourseRow> courseById(pg::Connection& c, const std::string& id) {
    const auto r = c.query(
        "SELECT " + kCourseColumns + kCourseFrom + " WHERE c.course_id = $1::uuid AND c.status <> 'DELETED'", {id});
    if (r.rows() == 0) return std::nullopt;
    return courseRow(r, 0);
}

std::vector<SectionRow> sectionsOf(pg::Connection& c, const std::string& courseId) {
    const auto s = c.query(
        "SELECT section_id, position, title FROM lms_rm.sections WHERE course_id = $1::uuid "
        "ORDER BY position, added_version, section_id",
        {courseId});
    std::vector<SectionRow> out;
    for (int i = 0; i < s.rows(); ++i) out.push_back({s.str(i, 0), s.i64(i, 1), s.str(i, 2), {}});
    const auto l = c.query(
        "SELECT lecture_id, section_id, position, title, content, duration_minutes, array_to_json(resource_urls)::text, "
        "preview, type FROM lms_rm.lectures WHERE course_id = $1::uuid ORDER BY position, added_version, lecture_id",
        {courseId});
    for (int i = 0; i < l.rows(); ++i) {
        const auto section = std::find_if(out.begin(), out.end(), [&](const auto& x) { return x.id == l.get(i, 1); });
        if (section == out.end()) continue;
        section->lectures.push_back({l.str(i, 0), l.str(i, 1), l.i64(i, 2), l.str(i, 3), l.str(i, 4), l.i64(i, 5),
                                     strings(l.get(i, 6)), l.boolean(i, 7), l.str(i, 8)});
    }
    return out;
}

}  // namespace

// Newest is by publication (the catalog's "new courses"), relevance falls back on it; every order
// ends with the id, so that a page boundary never falls between equal rows differently twice.
Page<CourseRow> listPublished(pg::Connection& c, const CourseFilter& f, const PageRequest& request) {
    // A filter value that is not UTF-8 (or an instructor id that is no UUID) matches no course:
    // answered here, since PostgreSQL refuses such a parameter instead of comparing it.
    for (const auto* v : {&f.category, &f.difficulty, &f.tag}) {
        if (*v && !validUtf8(**v)) return {};
    }
    if (f.instructorId && !isUuid(*f.instructorId)) return {};
    const std::optional<std::string> tsquery = f.q ? tsqueryOf(c, wordsOf(*f.q)) : std::nullopt;

    const auto number = [](std::int64_t v) { return pg::Param(std::to_string(v)); };
    pg::Params params{f.category,
                      f.difficulty,
                      f.tag,
                      f.instructorId,
                      f.minPrice ? number(*f.minPrice) : std::nullopt,
                      f.maxPrice ? number(*f.maxPrice) : std::nullopt};
    std::string where =
        "c.status = 'PUBLISHED' AND ($1::text IS NULL OR c.category = $1) AND ($2::text IS NULL OR c.difficulty = $2) "
        "AND ($3::text IS NULL OR c.tags_norm @> ARRAY[lower($3::text)]) AND ($4::uuid IS NULL OR c.instructor_id = $4) "
        "AND ($5::bigint IS NULL OR c.price >= $5) AND ($6::bigint IS NULL OR c.price <= $6)";
    if (tsquery) {
        params.emplace_back(*tsquery);
        where += " AND c.search @@ $7::tsquery";
    }
    std::string orderBy;
    switch (f.sort) {
        case Sort::PriceAsc: orderBy = "c.price, c.published_at DESC, c.course_id"; break;
        case Sort::PriceDesc: orderBy = "c.price DESC, c.published_at DESC, c.course_id"; break;
        case Sort::Title: orderBy = "lower(c.title), c.title, c.course_id"; break;
        case Sort::Relevance:
            if (tsquery) {
                orderBy = std::string("ts_rank(") + kWeights +
                          ", c.search, $7::tsquery) DESC, c.published_at DESC, c.course_id";
                break;
            }
            [[fallthrough]];
        case Sort::Newest: orderBy = "c.published_at DESC, c.course_id"; break;
    }
    return page(c, where, orderBy, std::move(params), request);
}

std::optional<CourseDetail> findCourse(pg::Connection& c, const std::string& idOrSlug) {
    if (!validUtf8(idOrSlug)) return std::nullopt;
    std::optional<CourseRow> course;
    if (isUuid(idOrSlug)) course = courseById(c, idOrSlug);
    if (!course) {
        // Slugs are lower-case: a link typed with capitals still finds its course.
        const auto r = c.query(
            "SELECT course_id::text FROM lms_rm.course_slugs WHERE slug IN ($1, lower($1)) ORDER BY slug = $1 DESC LIMIT 1",
            {idOrSlug});
        if (r.rows() == 0) return std::nullopt;
        course = courseById(c, r.str(0, 0));
        if (!course) return std::nullopt;
    }
    CourseDetail out{*course, sectionsOf(c, course->id.value())};
    return out;
}

Page<CourseRow> coursesOf(pg::Connection& c, const std::string& instructorId, const PageRequest& request) {
    if (!isUuid(instructorId)) return {};
    return page(c, "c.instructor_id = $1::uuid AND c.status <> 'DELETED'", "c.created_at DESC, c.course_id",
                {instructorId}, request);
}

Page<CourseRow> coursesInStatus(pg::Connection& c, const std::string& status, const PageRequest& request) {
    if (status == "DELETED" || !validUtf8(status)) return {};
    return page(c, "c.status = $1", "c.submitted_at NULLS LAST, c.created_at, c.course_id", {status}, request);
}

std::optional<CourseId> courseOfSlug(pg::Connection& c, const std::string& slug) {
    if (!validUtf8(slug)) return std::nullopt;
    const auto r = c.query("SELECT course_id::text FROM lms_rm.course_slugs WHERE slug = $1", {slug});
    if (r.rows() == 0) return std::nullopt;
    return CourseId(r.str(0, 0));
}

}  // namespace lms::projections::catalog
