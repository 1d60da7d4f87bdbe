#pragma once
// Sealing personal fields with a per-subject key (AES-256-GCM, the subject id as associated data)
// so that shredding the key erases the person from every copy of the history.
// A sealed value reads "pd1:" + base64url(nonce ‖ ciphertext ‖ tag).
#include <optional>
#include <string>

#include "eventstore/pg.hpp"

namespace lms::eventstore {

class PersonalData {
public:
    explicit PersonalData(pg::Connection& c) : c_(c) {}
    // Seals plaintext for subject, creating the subject's key on first use. Throws once the
    // subject was shredded: nothing new may be written about an erased person.
    std::string seal(const std::string& subjectId, const std::string& plaintext);
    // The plaintext, or nothing when the key was shredded (or the value was not sealed for subject).
    std::optional<std::string> open(const std::string& subjectId, const std::string& sealed);
    // Destroys the subject's key, in the caller's transaction. Irreversible once committed.
    void shred(const std::string& subjectId);
    static bool isSealed(const std::string& value) { return value.rfind("pd1:", 0) == 0; }

private:
    std::optional<std::string> key(const std::string& subjectId, bool create);
    pg::Connection& c_;
};

}  // namespace lms::eventstore
