#pragma once
// The master keys (key-encryption keys) that wrap the per-subject data keys of lms_subject_keys
// (personal_data.hpp), so that a data key read from a dead tuple, the WAL or a backup is useless
// without one: the current key wraps, previous ones (during a rotation) only unwrap. A process
// installs its keyring once at start (ops/main.cpp, from LMS_MASTER_KEY and
// LMS_MASTER_KEY_PREVIOUS); PersonalData uses the installed one and refuses to work without.
// docs/decisions/0012-key-wrapping.md.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"

namespace lms::eventstore {

// A data key that cannot be unwrapped: its master key was not given to this process, or its
// stored bytes were changed. Broken configuration or storage, never taken for an erased subject.
class KeyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A data key as stored: the id of the master key that wrapped it, and
// nonce ‖ AES-256-GCM(data key) ‖ tag with the subject id in the associated data, so that a
// wrapped key opens only as the key of the subject it was wrapped for.
struct WrappedKey {
    std::string kekId;
    std::string bytes;
};

class MasterKeys {
public:
    // current and each of previous: 32 raw bytes. Throws std::invalid_argument otherwise.
    explicit MasterKeys(std::string current, const std::vector<std::string>& previous = {});
    // LMS_MASTER_KEY (or the key generated into <LMS_DATA_DIR>/master-key when it is unset) and
    // LMS_MASTER_KEY_PREVIOUS. Throws ConfigError.
    static MasterKeys fromConfig(const Config& config);
    ~MasterKeys();  // uninstalls itself, and overwrites the keys
    MasterKeys(const MasterKeys&) = delete;
    MasterKeys& operator=(const MasterKeys&) = delete;
    MasterKeys(MasterKeys&&) = delete;
    MasterKeys& operator=(MasterKeys&&) = delete;

    // What is stored beside a wrapped key to name its master key without revealing it: the first
    // 16 hex characters of sha256("lms-kek-id\n" ‖ key).
    static std::string idOf(std::string_view key);
    const std::string& currentId() const { return keys_.front().id; }
    // True when kekId names the current key or one of the previous ones.
    bool knows(std::string_view kekId) const;
    // The ids this keyring holds, current first ("a, b (previous)"): for error messages.
    std::string describe() const;

    // dataKey wrapped under the current master key for subjectId.
    WrappedKey wrap(std::string_view subjectId, std::string_view dataKey) const;
    // The data key; throws KeyError when w.kekId names none of these keys or w does not open
    // (changed bytes, or wrapped for another subject).
    std::string unwrap(std::string_view subjectId, const WrappedKey& w) const;

    // Makes this the process's keyring (until it is destroyed or another is installed).
    void install() const;
    static const MasterKeys* installed();
    static void uninstall();  // tests of a process without one
    // The installed keyring; throws std::logic_error when there is none, so that no data key is
    // ever stored in clear because a process forgot to install one.
    static const MasterKeys& required();

private:
    struct Kek {
        std::string id;
        std::string key;
    };
    std::vector<Kek> keys_;  // the current one first
};

}  // namespace lms::eventstore
