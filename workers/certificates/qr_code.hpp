#pragma once
// A QR code (ISO/IEC 18004, libqrencode) of some bytes, drawn as vector rectangles with its quiet
// zone: what a phone scans on a printed certificate to reach its verification page.
#include <cairo.h>

#include <string_view>
#include <vector>

namespace lms::certificates {

class QrCode {
public:
    // Error correction M (15% of the code may be damaged), the smallest version that holds the
    // bytes, 8-bit mode. Throws std::runtime_error for more bytes than version 40 holds
    // (checkArt refuses such a URL before).
    static QrCode encode(std::string_view bytes);

    int modules() const { return modules_; }  // dark and light modules per side, quiet zone excluded
    bool dark(int x, int y) const { return dark_[static_cast<std::size_t>(y * modules_ + x)]; }

    // Fills the square at (x, y) of the given side, quiet zone included (4 modules on each side,
    // as the standard asks), white with the dark modules in the current source's colour.
    void draw(cairo_t* cr, double x, double y, double side) const;

    static constexpr int kQuietZone = 4;

private:
    QrCode(int modules, std::vector<bool> dark) : modules_(modules), dark_(std::move(dark)) {}

    int modules_;
    std::vector<bool> dark_;
};

}  // namespace lms::certificates
