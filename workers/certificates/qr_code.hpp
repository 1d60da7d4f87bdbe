#pragma once
// A QR code (ISO/IEC 18004, libqrencode) of some bytes, drawn as vector rectangles with its quiet
// zone: what a phone scans on a printed certificate to reach its verification page.
#include <string>
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

    // PDF operators that fill the square with its top left corner at (x, y), y measured down from
    // the top of a page of the given height, quiet zone included (4 modules on each side, as the
    // standard asks): white, with the dark modules in the given colour ("r g b rg").
    void writePdf(std::string& content, double x, double y, double side, double pageHeight,
                  std::string_view darkColour) const;

    static constexpr int kQuietZone = 4;

private:
    QrCode(int modules, std::vector<bool> dark) : modules_(modules), dark_(std::move(dark)) {}

    int modules_;
    std::vector<bool> dark_;
};

}  // namespace lms::certificates
