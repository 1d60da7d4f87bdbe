#include "workers/certificates/certificate_renderer.hpp"

#include <mutex>
#include <utility>
#include <vector>

#include "workers/certificates/typesetter.hpp"

namespace lms::certificates {

struct CertificateRenderer::Pool {
    std::mutex mutex;
    std::vector<std::unique_ptr<Typesetter>> idle;

    std::unique_ptr<Typesetter> take() {
        {
            const std::lock_guard lock(mutex);
            if (!idle.empty()) {
                auto typesetter = std::move(idle.back());
                idle.pop_back();
                return typesetter;
            }
        }
        return std::make_unique<Typesetter>();  // outside the lock: it loads fonts
    }

    void giveBack(std::unique_ptr<Typesetter> typesetter) {
        const std::lock_guard lock(mutex);
        idle.push_back(std::move(typesetter));
    }
};

CertificateRenderer::CertificateRenderer() : pool_(std::make_unique<Pool>()) {
    pool_->idle.push_back(std::make_unique<Typesetter>());
}

CertificateRenderer::~CertificateRenderer() = default;

expected<std::string, ArtError> CertificateRenderer::render(const CertificateArt& art) const {
    if (auto bad = checkArt(art)) return unexpected(std::move(*bad));
    auto typesetter = pool_->take();
    std::string pdf = typesetter->render(art);  // a typesetter that threw is dropped, not reused
    pool_->giveBack(std::move(typesetter));
    return pdf;
}

}  // namespace lms::certificates

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer's suppressions for every program that renders certificates (ops/test builds with
// ASan): fontconfig 2.14 leaks 288 bytes once while parsing its configuration files (FcInit,
// through expat), which no call of ours can free; FcFini does not reach them. Nothing of ours
// allocates through fontconfig, so only that leak is hidden.
extern "C" const char* __lsan_default_suppressions() {  // NOLINT(readability-identifier-naming): the sanitizer's hook
    return "leak:libfontconfig.so\n";
}
#endif
