#include "workers/storage/folder_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/secure.hpp"
#include "common/sha256.hpp"
#include "workers/storage/file_link.hpp"
#include "workers/storage/sigv4.hpp"

namespace lms::storage {
namespace {

// A file holds one object: this line, the content type on a line of its own, then the bytes.
// The type travels inside the file so that one rename makes both durable at once.
constexpr std::string_view kMagic = "lms-object 1\n";

std::string errorText(int error) { return std::strerror(error); }

// 0, or the errno of the failure.
int syncDirectory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    const int error = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return error;
}

bool writeAll(int fd, std::string_view data) {
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        written += static_cast<std::size_t>(n);
    }
    return true;
}

void checkTtl(std::chrono::seconds ttl) {
    if (ttl.count() < 1 || ttl.count() > sigv4::kMaxExpiresSeconds) {
        throw std::invalid_argument("object link: ttl must be 1.." + std::to_string(sigv4::kMaxExpiresSeconds) +
                                    " seconds, not " + std::to_string(ttl.count()));
    }
}

}  // namespace

FolderStore::FolderStore(std::filesystem::path folder, std::string publicUrl, std::string linkKey)
    : folder_(std::move(folder)), publicUrl_(std::move(publicUrl)), linkKey_(std::move(linkKey)) {
    while (!publicUrl_.empty() && publicUrl_.back() == '/') publicUrl_.pop_back();
}

std::filesystem::path FolderStore::pathOf(const std::string& key) const {
    // validKey leaves no way out of the folder: no "..", no leading '/', no segment starting with
    // '.' (which also keeps keys apart from the temporary names below).
    if (!validKey(key)) throw std::invalid_argument("folder store: invalid object key '" + key + "'");
    return folder_ / key;
}

void FolderStore::put(const std::string& key, std::string_view bytes, const std::string& contentType) {
    const auto final = pathOf(key);
    if (contentType.find_first_of("\r\n") != std::string::npos) {
        throw std::invalid_argument("folder store: content type with a line break");
    }
    const auto dir = final.parent_path();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw StorageError("folder store: cannot create " + dir.string() + ": " + ec.message());
    // A name of its own per write: two puts of one key at once each rename a whole file.
    const auto temp = dir / ("." + final.filename().string() + "." + toHex(randomBytes(8)) + ".tmp");
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) throw StorageError("folder store: cannot create " + temp.string() + ": " + errorText(errno));
    std::string head(kMagic);
    head += contentType;
    head += '\n';
    const bool ok = writeAll(fd, head) && writeAll(fd, bytes) && ::fsync(fd) == 0;
    const int error = errno;
    ::close(fd);
    if (!ok || ::rename(temp.c_str(), final.c_str()) != 0) {
        const int why = ok ? errno : error;
        ::unlink(temp.c_str());
        throw StorageError("folder store: cannot store " + final.string() + ": " + errorText(why));
    }
    // The rename is durable once the directory is flushed.
    if (const int why = syncDirectory(dir); why != 0) {
        throw StorageError("folder store: cannot flush " + dir.string() + ": " + errorText(why));
    }
}

std::optional<StoredObject> FolderStore::read(const std::string& key) const {
    const auto path = pathOf(key);
    // O_NOFOLLOW: a link planted in the folder is not followed out of it.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw StorageError("folder store: cannot open " + path.string() + ": " + errorText(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const bool directory = S_ISDIR(st.st_mode);
        ::close(fd);
        if (directory) return std::nullopt;  // a prefix of other keys ("certificates"), not an object
        throw StorageError("folder store: " + path.string() + " is not a regular file");
    }
    std::string all;
    all.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < all.size()) {
        const ssize_t n = ::read(fd, all.data() + got, all.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    const auto typeEnd = all.find('\n', kMagic.size());
    if (got != all.size() || all.compare(0, kMagic.size(), kMagic) != 0 || typeEnd == std::string::npos) {
        throw StorageError("folder store: " + path.string() + " is not an object file (or was cut short)");
    }
    return StoredObject{all.substr(typeEnd + 1), all.substr(kMagic.size(), typeEnd - kMagic.size())};
}

std::optional<std::string> FolderStore::get(const std::string& key) {
    auto object = read(key);
    if (!object) return std::nullopt;
    return std::move(object->bytes);
}

void FolderStore::remove(const std::string& key) {
    const auto path = pathOf(key);
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return;
        throw StorageError("folder store: cannot remove " + path.string() + ": " + errorText(errno));
    }
    if (const int why = syncDirectory(path.parent_path()); why != 0) {
        throw StorageError("folder store: cannot flush " + path.parent_path().string() + ": " + errorText(why));
    }
}

std::string FolderStore::link(const std::string& key, std::int64_t nowUs, std::chrono::seconds ttl) {
    checkTtl(ttl);
    return publicUrl_ + fileLinkTarget(linkKey_, key, nowUs / 1'000'000 + ttl.count());
}

std::string FolderStore::describe() const { return "folder " + folder_.string(); }

}  // namespace lms::storage
