#pragma once
// The command loop every context uses: load the stream, fold it, decide, append with the loaded
// version as the expected version; on a conflict (someone appended in between) start again, a
// bounded number of times. Whatever must commit with the events (a reservation row, an inline
// projection) runs in the same transaction through `withinTransaction`; so can commands on other
// streams (a password change that revokes the user's other sessions): run inside an open
// transaction, handleCommand joins it, and a conflict it meets cannot be retried there, so it is
// returned as `concurrency_conflict`; the command whose transaction it is then starts again.
#include <functional>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "domain/core/decider.hpp"
#include "eventstore/event_store.hpp"

namespace lms::eventstore {

// The code of the refusal when the stream kept changing under the command.
inline constexpr const char* kConcurrencyConflict = "concurrency_conflict";

struct CommandOptions {
    int maxAttempts = 5;
    // Runs inside the append's transaction with the events just written; may throw to abort the
    // whole command, or return a DomainError to refuse it (nothing is then written).
    std::function<std::optional<domain::DomainError>(pg::Connection&, const std::vector<RecordedEvent>&)> withinTransaction;
    // Event ids for the events decided (defaults to fresh UUIDv7s). Deterministic ids make a
    // retried request idempotent.
    std::function<std::string(std::size_t index)> eventId;
    // Turns a decided event into what is stored (sealing personal fields, say), and a stored one
    // back into what the decider folds. Identity by default.
    std::function<domain::DomainEvent(const std::string& streamId, domain::DomainEvent)> encode;
    std::function<domain::DomainEvent(const std::string& streamId, domain::DomainEvent)> decode;
};

struct CommandResult {
    domain::StreamVersion version;      // the stream's version after the command
    GlobalPosition position;            // of the last event written; {0,0} when nothing was
    std::vector<RecordedEvent> events;  // what was appended (global positions unset)
};

// Folds a stream's recorded events into a decider's state.
template <domain::Decider D>
typename D::State fold(const std::vector<RecordedEvent>& events, const CommandOptions& options = {}) {
    auto state = D::initial();
    for (const auto& e : events) {
        domain::DomainEvent de{e.type, e.schemaVersion, nlohmann::json::parse(e.data)};
        if (options.decode) de = options.decode(e.streamId, std::move(de));
        state = D::evolve(state, de);
    }
    return state;
}

template <domain::Decider D>
expected<CommandResult, domain::DomainError> handleCommand(pg::Connection& c, const std::string& streamId,
                                                           const typename D::Command& command,
                                                           const domain::Metadata& metadata,
                                                           const CommandOptions& options = {}) {
    EventStore store(c);
    for (int attempt = 1;; ++attempt) {
        const auto history = store.readStream(streamId);
        const auto state = fold<D>(history, options);
        const domain::StreamVersion version(history.empty() ? 0 : history.back().version);
        domain::Decision decision = D::decide(state, command);
        if (!decision) return unexpected(decision.error());
        if (decision->empty()) return CommandResult{version, {}, {}};

        // Encoding may write (a new person's data key): it belongs to the append's transaction.
        pg::Transaction tx(c);
        std::vector<NewEvent> batch;
        std::vector<RecordedEvent> written;
        for (std::size_t i = 0; i < decision->size(); ++i) {
            const auto stored = options.encode ? options.encode(streamId, (*decision)[i]) : (*decision)[i];
            batch.push_back(NewEvent::from(stored, metadata, options.eventId ? options.eventId(i) : newUuid()));
            RecordedEvent r;
            r.streamId = streamId;
            r.version = version.value() + static_cast<std::int64_t>(i) + 1;
            r.eventId = batch.back().eventId;
            r.type = batch.back().type;
            r.schemaVersion = batch.back().schemaVersion;
            r.data = batch.back().data;
            r.metadata = batch.back().metadata;
            written.push_back(std::move(r));
        }
        auto appended = store.append(
            streamId, version.value() == 0 ? ExpectedVersion::noStream() : ExpectedVersion::exact(version), batch);
        if (!appended) {
            if (appended.error().kind == AppendConflict::Kind::WrongExpectedVersion && !tx.joined() &&
                attempt < options.maxAttempts) {
                continue;  // the transaction rolls back; load and decide again
            }
            return unexpected(domain::DomainError{domain::DomainError::Kind::Conflict, kConcurrencyConflict,
                                                  "the resource changed while the request ran; try again", ""});
        }
        if (appended->alreadyStored) return CommandResult{appended->version, {}, {}};
        if (options.withinTransaction) {
            if (auto refused = options.withinTransaction(c, written)) {
                // A command on another stream, run in this transaction, met a conflict: roll all
                // of it back and decide again.
                if (refused->code == kConcurrencyConflict && !tx.joined() && attempt < options.maxAttempts) continue;
                return unexpected(*refused);
            }
        }
        tx.commit();
        return CommandResult{appended->version, appended->last, std::move(written)};
    }
}

}  // namespace lms::eventstore
