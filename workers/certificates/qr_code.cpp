#include "workers/certificates/qr_code.hpp"

#include <qrencode.h>

#include <cerrno>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "workers/certificates/pdf_writer.hpp"

namespace lms::certificates {

QrCode QrCode::encode(std::string_view bytes) {
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeData(static_cast<int>(bytes.size()), reinterpret_cast<const unsigned char*>(bytes.data()), 0,
                          QR_ECLEVEL_M),
        &QRcode_free);
    if (!code) throw std::system_error(errno, std::generic_category(), "certificates: QR code of the verification URL");
    const int n = code->width;
    std::vector<bool> dark(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < dark.size(); ++i) dark[i] = (code->data[i] & 1) != 0;  // bit 0: dark
    return QrCode(n, std::move(dark));
}

void QrCode::writePdf(std::string& content, double x, double y, double side, double pageHeight,
                      std::string_view darkColour) const {
    const auto number = [&](double v) {
        appendNumber(content, v);
        content += ' ';
    };
    content += "q\n1 1 1 rg\n";
    number(x);
    number(pageHeight - y - side);
    number(side);
    number(side);
    content += "re f\n";
    content += darkColour;
    content += '\n';
    // The bars in modules: a matrix puts the code's top left corner (quiet zone excluded) at the
    // origin, one module per unit, y down, so that every bar is 4 small integers.
    const double module = side / (modules_ + 2 * kQuietZone);
    number(module);
    content += "0 0 ";
    number(-module);
    number(x + kQuietZone * module);
    number(pageHeight - y - kQuietZone * module);
    content += "cm\n";
    // A run of dark modules in a row, extended down over the rows that have the same run, is one
    // rectangle: 33 by 33 modules take about 180.
    std::vector<bool> taken(dark_.size());
    const auto free = [&](int col, int row) {
        const auto i = static_cast<std::size_t>(row * modules_ + col);
        return dark_[i] && !taken[i];
    };
    for (int row = 0; row < modules_; ++row) {
        for (int col = 0; col < modules_;) {
            if (!free(col, row)) {
                ++col;
                continue;
            }
            const int start = col;
            while (col < modules_ && free(col, row)) ++col;
            const auto sameRun = [&](int r) {
                for (int c = start; c < col; ++c)
                    if (!free(c, r)) return false;
                return (start == 0 || !free(start - 1, r)) && (col == modules_ || !free(col, r));
            };
            int height = 1;
            while (row + height < modules_ && sameRun(row + height)) ++height;
            for (int r = row; r < row + height; ++r)
                for (int c = start; c < col; ++c) taken[static_cast<std::size_t>(r * modules_ + c)] = true;
            for (const int v : {start, row, col - start, height}) {
                appendInteger(content, v);
                content += ' ';
            }
            content += "re\n";
        }
    }
    content += "f\nQ\n";
}

}  // namespace lms::certificates
