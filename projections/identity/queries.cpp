#include "projections/identity/queries.hpp"

namespace lms::projections::identity {
namespace {

// The columns userRow() reads, of lms_rm.users under the alias u.
constexpr const char* kUserColumns =
    "u.user_id::text, u.email, u.first_name, u.last_name, u.bio, u.role, u.status, "
    "to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
constexpr int kUserColumnCount = 8;

std::optional<std::string> nullable(const pg::Result& r, int row, int col) {
    if (r.isNull(row, col)) return std::nullopt;
    return r.str(row, col);
}

UserRow userRow(const pg::Result& r, int row, int from = 0) {
    return UserRow{UserId(r.str(row, from)),   r.str(row, from + 1), nullable(r, row, from + 2),
                   nullable(r, row, from + 3), r.str(row, from + 4), r.str(row, from + 5),
                   r.str(row, from + 6),       r.str(row, from + 7)};
}

std::string likePattern(const std::string& text) {
    std::string like = "%";
    for (char ch : text) {
        if (ch == '%' || ch == '_' || ch == '\\') like += '\\';
        like += ch;
    }
    return like + "%";
}

}  // namespace

std::optional<UserRow> findUser(pg::Connection& c, const UserId& id) {
    const auto r = c.query(std::string("SELECT ") + kUserColumns +
                               " FROM lms_rm.users u WHERE u.user_id = $1::uuid AND u.status <> 'DELETED'",
                           {id.value()});
    if (r.rows() == 0) return std::nullopt;
    return userRow(r, 0);
}

std::optional<UserWithPassword> findUserByEmail(pg::Connection& c, const std::string& emailNorm) {
    const auto r = c.query(std::string("SELECT ") + kUserColumns +
                               ", u.password_hash, u.credential_version FROM lms_rm.users u "
                               "WHERE u.email_norm = $1 AND u.status <> 'DELETED' LIMIT 1",
                           {emailNorm});
    if (r.rows() == 0) return std::nullopt;
    return UserWithPassword{userRow(r, 0), r.str(0, kUserColumnCount), r.i64(0, kUserColumnCount + 1)};
}

std::optional<UserWithPassword> findUserWithPassword(pg::Connection& c, const UserId& id) {
    const auto r = c.query(std::string("SELECT ") + kUserColumns +
                               ", u.password_hash, u.credential_version FROM lms_rm.users u "
                               "WHERE u.user_id = $1::uuid AND u.status <> 'DELETED'",
                           {id.value()});
    if (r.rows() == 0) return std::nullopt;
    return UserWithPassword{userRow(r, 0), r.str(0, kUserColumnCount), r.i64(0, kUserColumnCount + 1)};
}

std::optional<Credentials> lockCredentials(pg::Connection& c, const UserId& id) {
    const auto r = c.query(
        "SELECT credential_version, status FROM lms_rm.users WHERE user_id = $1::uuid AND status <> 'DELETED' "
        "FOR SHARE",
        {id.value()});
    if (r.rows() == 0) return std::nullopt;
    return Credentials{r.i64(0, 0), r.str(0, 1)};
}

std::optional<UserId> userOfResetToken(pg::Connection& c, const std::string& tokenHash) {
    const auto r = c.query("SELECT user_id::text FROM lms_rm.password_resets WHERE token_hash = $1", {tokenHash});
    if (r.rows() == 0) return std::nullopt;
    return UserId(r.str(0, 0));
}

std::optional<SessionId> sessionOfRefreshToken(pg::Connection& c, const std::string& tokenHash) {
    const auto r = c.query("SELECT session_id::text FROM lms_rm.refresh_tokens WHERE token_hash = $1", {tokenHash});
    if (r.rows() == 0) return std::nullopt;
    return SessionId(r.str(0, 0));
}

std::optional<SessionWithUser> findSession(pg::Connection& c, const SessionId& id) {
    // One query: the session, its user and the user's row (which /users/me answers with).
    const auto r = c.query(std::string("SELECT s.status, s.user_id::text, s.credential_version, "
                                       "coalesce(u.credential_version, 0), ") +
                               kUserColumns +
                               " FROM lms_rm.sessions s LEFT JOIN lms_rm.users u "
                               "ON u.user_id = s.user_id AND u.status <> 'DELETED' WHERE s.session_id = $1::uuid",
                           {id.value()});
    if (r.rows() == 0) return std::nullopt;
    SessionWithUser out{r.str(0, 0), UserId(r.str(0, 1)), std::nullopt, r.i64(0, 2), r.i64(0, 3)};
    if (!r.isNull(0, 4)) out.user = userRow(r, 0, 4);
    return out;
}

std::vector<SessionId> activeSessionsOf(pg::Connection& c, const UserId& id) {
    const auto r = c.query(
        "SELECT session_id::text FROM lms_rm.sessions WHERE user_id = $1::uuid AND status = 'ACTIVE'", {id.value()});
    std::vector<SessionId> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.str(i, 0));
    return out;
}

std::vector<SessionId> sessionsOf(pg::Connection& c, const UserId& id) {
    const auto r = c.query("SELECT session_id::text FROM lms_rm.sessions WHERE user_id = $1::uuid", {id.value()});
    std::vector<SessionId> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.str(i, 0));
    return out;
}

std::vector<LegacyReservation> legacyEmailReservations(pg::Connection& c, const std::string& scope, int limit) {
    const auto r = c.query(
        "SELECT r.value_hash, r.owner, u.email_norm FROM lms_reservations r JOIN lms_rm.users u "
        "ON r.owner = 'user-' || u.user_id::text WHERE r.scope = $1 AND u.email_norm IS NOT NULL "
        "ORDER BY r.value_hash LIMIT $2 FOR UPDATE OF r SKIP LOCKED",
        {scope, std::to_string(limit)});
    std::vector<LegacyReservation> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.str(i, 0), r.str(i, 1), r.str(i, 2)});
    return out;
}

Page<UserRow> listUsers(pg::Connection& c, const UserFilter& f, const PageRequest& page) {
    const pg::Param search = f.search ? pg::Param(likePattern(*f.search)) : std::nullopt;
    const std::string where =
        " FROM lms_rm.users u WHERE u.status <> 'DELETED' AND ($1::text IS NULL OR u.role = $1) AND "
        "($2::text IS NULL OR u.status = $2) AND ($3::text IS NULL OR u.email_norm ILIKE $3 OR "
        "u.first_name ILIKE $3 OR u.last_name ILIKE $3 OR (u.first_name || ' ' || u.last_name) ILIKE $3)";
    Page<UserRow> out;
    out.totalItems = c.query("SELECT count(*)" + where, {f.role, f.status, search}).i64(0, 0);
    const auto rows = c.query(std::string("SELECT ") + kUserColumns + where +
                                  " ORDER BY u.created_at DESC, u.user_id LIMIT $4 OFFSET $5",
                              {f.role, f.status, search, std::to_string(page.limit), std::to_string(page.offset())});
    for (int i = 0; i < rows.rows(); ++i) out.items.push_back(userRow(rows, i));
    return out;
}

}  // namespace lms::projections::identity
