#include "workers/certificates/qr_code.hpp"

#include <qrencode.h>

#include <cerrno>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

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

void QrCode::draw(cairo_t* cr, double x, double y, double side) const {
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, side, side);
    cairo_fill(cr);
    cairo_restore(cr);
    // Printing the path's numbers is most of what a QR code costs in a PDF (cairo formats each
    // with snprintf), so: a run of dark modules in a row, extended down over the rows that have
    // the same run, is one rectangle, drawn as a line as thick as its rows (4 numbers, where a
    // filled rectangle is 8); one stroke per thickness. 33 by 33 modules take about 180 lines.
    const double module = side / (modules_ + 2 * kQuietZone);
    const double left = x + kQuietZone * module, top = y + kQuietZone * module;
    std::vector<bool> taken(dark_.size());
    const auto free = [&](int col, int row) {
        const auto i = static_cast<std::size_t>(row * modules_ + col);
        return dark_[i] && !taken[i];
    };
    struct Bar {
        int col, row, width;
    };
    std::vector<std::vector<Bar>> byHeight(static_cast<std::size_t>(modules_) + 1);
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
            byHeight[static_cast<std::size_t>(height)].push_back({start, row, col - start});
        }
    }
    cairo_save(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    for (std::size_t height = 1; height < byHeight.size(); ++height) {
        if (byHeight[height].empty()) continue;
        const double thickness = static_cast<double>(height) * module;
        cairo_set_line_width(cr, thickness);
        for (const Bar& bar : byHeight[height]) {
            const double middle = top + bar.row * module + thickness / 2;
            cairo_move_to(cr, left + bar.col * module, middle);
            cairo_line_to(cr, left + (bar.col + bar.width) * module, middle);
        }
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

}  // namespace lms::certificates
