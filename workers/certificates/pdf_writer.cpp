#include "workers/certificates/pdf_writer.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace lms::certificates {
namespace {

constexpr std::size_t kUnwritten = std::string::npos;

void appendHex4(std::string& out, unsigned unit) {
    constexpr std::string_view kDigits = "0123456789ABCDEF";
    for (int shift = 12; shift >= 0; shift -= 4) out += kDigits[(unit >> shift) & 0xF];
}

// Offsets in the cross-reference table are exactly 10 digits.
void appendPadded10(std::string& out, std::size_t value) {
    std::array<char, 10> digits{};
    for (std::size_t i = digits.size(); i-- > 0; value /= 10) digits[i] = static_cast<char>('0' + value % 10);
    out.append(digits.data(), digits.size());
}

}  // namespace

void appendInteger(std::string& out, long long value) {
    std::array<char, 24> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out.append(buffer.data(), result.ptr);
}

void appendNumber(std::string& out, double value) {
    long long hundredths = std::llround(value * 100);
    if (hundredths < 0) {
        out += '-';
        hundredths = -hundredths;
    }
    appendInteger(out, hundredths / 100);
    const auto fraction = static_cast<int>(hundredths % 100);
    if (fraction == 0) return;
    out += '.';
    out += static_cast<char>('0' + fraction / 10);
    if (fraction % 10 != 0) out += static_cast<char>('0' + fraction % 10);
}

void appendUtf16Hex(std::string& out, std::string_view utf8) {
    for (std::size_t i = 0; i < utf8.size();) {
        const auto lead = static_cast<unsigned char>(utf8[i]);
        const int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        char32_t c = length == 1 ? lead : lead & (0x7F >> length);
        for (int k = 1; k < length && i + static_cast<std::size_t>(k) < utf8.size(); ++k)
            c = (c << 6) | (static_cast<unsigned char>(utf8[i + static_cast<std::size_t>(k)]) & 0x3F);
        i += static_cast<std::size_t>(length);
        if (c < 0x10000) {
            appendHex4(out, c);
        } else {  // a surrogate pair
            c -= 0x10000;
            appendHex4(out, 0xD800 | (c >> 10));
            appendHex4(out, 0xDC00 | (c & 0x3FF));
        }
    }
}

void appendTextString(std::string& out, std::string_view utf8) {
    bool printable = true;
    for (const char c : utf8) printable = printable && c >= 0x20 && c < 0x7F;
    if (!printable) {
        out += "<FEFF";
        appendUtf16Hex(out, utf8);
        out += '>';
        return;
    }
    out += '(';
    for (const char c : utf8) {
        if (c == '(' || c == ')' || c == '\\') out += '\\';
        out += c;
    }
    out += ')';
}

Deflater::Deflater(int level) {
    if (deflateInit(&stream_, level) != Z_OK) throw std::runtime_error("certificates: zlib's deflateInit failed");
}

Deflater::~Deflater() { deflateEnd(&stream_); }

void Deflater::compress(std::string_view data, std::string& out) {
    if (deflateReset(&stream_) != Z_OK) throw std::runtime_error("certificates: zlib's deflateReset failed");
    const std::size_t start = out.size();
    const uLong bound = deflateBound(&stream_, static_cast<uLong>(data.size()));
    out.resize(start + bound);
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));  // zlib does not write to it
    stream_.avail_in = static_cast<uInt>(data.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out.data() + start);
    stream_.avail_out = static_cast<uInt>(bound);
    if (deflate(&stream_, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("certificates: zlib's deflate failed");
    out.resize(start + stream_.total_out);
}

PdfWriter::PdfWriter() {
    // The binary comment tells transfer programs that the file is not text.
    bytes_ = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
}

PdfWriter::PdfWriter(const PdfWriter& prefix, std::size_t extra) : offsets_(prefix.offsets_) {
    bytes_.reserve(prefix.bytes_.size() + extra);
    bytes_ = prefix.bytes_;
}

int PdfWriter::reserve() {
    offsets_.push_back(kUnwritten);
    return static_cast<int>(offsets_.size());
}

void PdfWriter::begin(int object) {
    offsets_.at(static_cast<std::size_t>(object - 1)) = bytes_.size();
    appendInteger(bytes_, object);
    bytes_ += " 0 obj\n";
}

void PdfWriter::end() { bytes_ += "\nendobj\n"; }

void PdfWriter::stream(int object, std::string_view dictionary, std::string_view data) {
    begin(object);
    bytes_ += "<< /Length ";
    appendInteger(bytes_, static_cast<long long>(data.size()));
    if (!dictionary.empty()) {
        bytes_ += ' ';
        bytes_ += dictionary;
    }
    bytes_ += " >>\nstream\n";
    bytes_ += data;
    bytes_ += "\nendstream";
    end();
}

std::string PdfWriter::finish(int root, int info) {
    const std::size_t xref = bytes_.size();
    bytes_ += "xref\n0 ";
    appendInteger(bytes_, static_cast<long long>(offsets_.size() + 1));
    // Each entry is exactly 20 bytes, its end of line included.
    bytes_ += "\n0000000000 65535 f \n";
    for (const std::size_t offset : offsets_) {
        if (offset == kUnwritten) throw std::logic_error("certificates: a PDF object was reserved but not written");
        appendPadded10(bytes_, offset);
        bytes_ += " 00000 n \n";
    }
    bytes_ += "trailer\n<< /Size ";
    appendInteger(bytes_, static_cast<long long>(offsets_.size() + 1));
    bytes_ += " /Root ";
    appendInteger(bytes_, root);
    bytes_ += " 0 R /Info ";
    appendInteger(bytes_, info);
    bytes_ += " 0 R >>\nstartxref\n";
    appendInteger(bytes_, static_cast<long long>(xref));
    bytes_ += "\n%%EOF\n";
    return std::move(bytes_);
}

}  // namespace lms::certificates
