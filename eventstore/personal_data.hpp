#pragma once
// Sealing personal fields with a per-subject key (AES-256-GCM, the subject id as associated data)
// so that shredding the key erases the person from every copy of the history.
// A sealed value reads "pd1:" + base64url(nonce ‖ ciphertext ‖ tag). The data keys are stored
// wrapped by the process's installed master key (master_keys.hpp); without one installed, seal
// and open throw std::logic_error, and a key under a master key the process was not given makes
// them throw KeyError (never an "erased" answer).
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/core/event.hpp"
#include "eventstore/pg.hpp"

namespace lms::eventstore {

class PersonalData {
public:
    explicit PersonalData(pg::Connection& c) : c_(c) {}
    // Seals plaintext for subject, creating the subject's key on first use. Throws once the
    // subject was shredded: nothing new may be written about an erased person.
    std::string seal(const std::string& subjectId, const std::string& plaintext);
    // The plaintext, or nothing when the key was shredded (or the value was not sealed for subject).
    // Throws KeyError when the subject's key cannot be unwrapped.
    std::optional<std::string> open(const std::string& subjectId, const std::string& sealed);
    // Destroys the subject's key, in the caller's transaction. Irreversible once committed.
    void shred(const std::string& subjectId);
    static bool isSealed(const std::string& value) { return value.rfind("pd1:", 0) == 0; }

    // An event with the named string fields of its data sealed for subject (what is stored), and
    // back: opened, or null where the subject's key is shredded. A context names its personal
    // fields once (domain/<context>/events.hpp); every reader opens them through here.
    domain::DomainEvent sealFields(const std::string& subjectId, domain::DomainEvent e,
                                   std::span<const std::string_view> fields);
    domain::DomainEvent openFields(const std::string& subjectId, domain::DomainEvent e,
                                   std::span<const std::string_view> fields);

private:
    std::optional<std::string> key(const std::string& subjectId, bool create);
    pg::Connection& c_;
};

}  // namespace lms::eventstore
