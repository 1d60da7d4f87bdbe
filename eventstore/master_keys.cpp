#include "eventstore/master_keys.hpp"

#include <openssl/crypto.h>

#include <atomic>

#include "common/aead.hpp"
#include "common/secrets.hpp"
#include "common/sha256.hpp"

namespace lms::eventstore {
namespace {

std::atomic<const MasterKeys*> gInstalled{nullptr};

// Wrapped data keys and sealed personal fields never share a key, but the label keeps the two
// uses apart should that ever change.
std::string associatedData(std::string_view subjectId) { return "lms-subject-key\n" + std::string(subjectId); }

}  // namespace

MasterKeys::MasterKeys(std::string current, const std::vector<std::string>& previous) {
    if (current.size() != aead::kKeyBytes) throw std::invalid_argument("a master key has 32 bytes");
    keys_.push_back({idOf(current), std::move(current)});
    for (const auto& p : previous) {
        if (p.size() != aead::kKeyBytes) throw std::invalid_argument("a master key has 32 bytes");
        if (!knows(idOf(p))) keys_.push_back({idOf(p), p});
    }
}

MasterKeys MasterKeys::fromConfig(const Config& config) {
    std::vector<std::string> previous;
    for (const auto& hex : config.masterKeyPrevious) {
        auto k = fromHex(hex);
        if (!k || k->size() != aead::kKeyBytes) {
            throw ConfigError("LMS_MASTER_KEY_PREVIOUS must list keys of 64 hex characters");
        }
        previous.push_back(std::move(*k));
    }
    return MasterKeys(masterKey(config), previous);
}

MasterKeys::~MasterKeys() {
    const MasterKeys* self = this;
    gInstalled.compare_exchange_strong(self, nullptr);
    for (auto& k : keys_) OPENSSL_cleanse(k.key.data(), k.key.size());
}

std::string MasterKeys::idOf(std::string_view key) {
    return toHex(sha256("lms-kek-id\n" + std::string(key))).substr(0, 16);
}

bool MasterKeys::knows(std::string_view kekId) const {
    for (const auto& k : keys_) {
        if (k.id == kekId) return true;
    }
    return false;
}

std::string MasterKeys::describe() const {
    std::string out = keys_.front().id;
    for (std::size_t i = 1; i < keys_.size(); ++i) out += ", " + keys_[i].id + " (previous)";
    return out;
}

WrappedKey MasterKeys::wrap(std::string_view subjectId, std::string_view dataKey) const {
    const auto& k = keys_.front();
    return {k.id, aead::seal(k.key, associatedData(subjectId), dataKey)};
}

std::string MasterKeys::unwrap(std::string_view subjectId, const WrappedKey& w) const {
    for (const auto& k : keys_) {
        if (k.id != w.kekId) continue;
        auto key = aead::open(k.key, associatedData(subjectId), w.bytes);
        if (!key || key->size() != aead::kKeyBytes) {
            throw KeyError("the data key of " + std::string(subjectId) + " does not unwrap under master key " + k.id +
                           ": its stored bytes were changed or belong to another subject");
        }
        return *key;
    }
    throw KeyError("the data key of " + std::string(subjectId) + " is wrapped under master key " + w.kekId +
                   ", which this process was not given (it has " + describe() +
                   "): set that key in LMS_MASTER_KEY or LMS_MASTER_KEY_PREVIOUS");
}

void MasterKeys::install() const { gInstalled.store(this); }

const MasterKeys* MasterKeys::installed() { return gInstalled.load(); }

void MasterKeys::uninstall() { gInstalled.store(nullptr); }

const MasterKeys& MasterKeys::required() {
    const MasterKeys* k = installed();
    if (k == nullptr) {
        throw std::logic_error(
            "no master key is installed in this process: personal data can be neither sealed nor opened "
            "(install an eventstore::MasterKeys at start, as ops/main.cpp does from LMS_MASTER_KEY)");
    }
    return *k;
}

}  // namespace lms::eventstore
