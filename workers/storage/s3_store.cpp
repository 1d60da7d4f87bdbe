#include "workers/storage/s3_store.hpp"

#include <stdexcept>

#include "common/outbound/https_client.hpp"

namespace lms::storage {

S3Store::S3Store(S3Location location, sigv4::Credentials credentials, const Clock& clock, std::chrono::seconds timeout)
    : location_(std::move(location)), credentials_(std::move(credentials)), clock_(clock), timeout_(timeout) {
    checkLocation(location_);
}

void S3Store::checkKey(const std::string& key) const {
    if (!validKey(key)) throw std::invalid_argument("s3 store: invalid object key '" + key + "'");
}

S3Store::Answer S3Store::send(const S3Request& request, std::string_view body, const std::string& what) const {
    outbound::Request out{request.method, request.https, request.host, request.port, request.target, {},
                          body,           timeout_};
    for (const auto& [name, value] : request.headers) out.headers.emplace_back(name, value);
    try {
        auto answer = outbound::send(out);
        return Answer{answer.status, std::move(answer.body)};
    } catch (const outbound::Unreachable& e) {
        throw StorageError(what + ": " + e.what());
    }
}

void S3Store::fail(const std::string& what, const Answer& answer) const {
    const auto error = parseS3Error(answer.body);
    std::string message = what + ": HTTP " + std::to_string(answer.status);
    if (!error.code.empty()) message += " " + error.code;
    if (!error.message.empty()) message += ": " + error.message;
    throw StorageError(message);
}

void S3Store::put(const std::string& key, std::string_view bytes, const std::string& contentType) {
    checkKey(key);
    const auto request = putObjectRequest(location_, credentials_, key, bytes, contentType, clock_.nowSeconds());
    const auto what = "s3 PUT " + location_.bucket + "/" + key;
    const auto answer = send(request, bytes, what);
    if (answer.status != 200) fail(what, answer);
}

std::optional<std::string> S3Store::get(const std::string& key) {
    checkKey(key);
    const auto request = getObjectRequest(location_, credentials_, key, clock_.nowSeconds());
    const auto what = "s3 GET " + location_.bucket + "/" + key;
    auto answer = send(request, {}, what);
    if (answer.status == 200) return std::move(answer.body);
    if (answer.status == 404 && parseS3Error(answer.body).code == "NoSuchKey") return std::nullopt;
    fail(what, answer);
}

void S3Store::remove(const std::string& key) {
    checkKey(key);
    const auto request = deleteObjectRequest(location_, credentials_, key, clock_.nowSeconds());
    const auto what = "s3 DELETE " + location_.bucket + "/" + key;
    const auto answer = send(request, {}, what);
    // S3 answers 204 whether or not there was such an object.
    if (answer.status != 204 && answer.status != 200) fail(what, answer);
}

std::string S3Store::link(const std::string& key, std::int64_t nowUs, std::chrono::seconds ttl) {
    checkKey(key);
    return presignedGetUrl(location_, credentials_, key, nowUs / 1'000'000, ttl.count());
}

std::string S3Store::describe() const {
    return "s3 " + location_.endpoint + " bucket " + location_.bucket + " (" + location_.region + ", " +
           (location_.pathStyle ? "path-style" : "virtual-hosted") + ")";
}

}  // namespace lms::storage
