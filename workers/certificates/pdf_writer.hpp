#pragma once
// A PDF file of our own making (ISO 32000-1): numbered objects, their byte offsets in a
// cross-reference table, the trailer. Only what a certificate needs: no incremental updates, no
// object streams, no encryption. A writer can be copied, which is how the fixed part of every
// certificate is written once: the first objects (catalog, page tree, the fixed content and its
// fonts) are written at set-up, and each document starts as a copy of those bytes.
//
// Also the small pieces of PDF syntax the page is made of: numbers printed fixed-point with
// std::to_chars (cairo's snprintf of every coordinate was a fifth of its cost), text strings as
// UTF-16BE, and zlib's deflate for the FlateDecode filter with a state kept for reuse.
#include <zlib.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lms::certificates {

// A number with at most 2 decimals, trailing zeros dropped: "12", "-3.5", "0.25". Enough for
// points on a page (1/7200 inch) and for glyph space in thousandths of an em.
void appendNumber(std::string& out, double value);
void appendInteger(std::string& out, long long value);
// The UTF-8 text as UTF-16BE hex digits, without brackets or byte order mark (the text is
// valid UTF-8: checkArt).
void appendUtf16Hex(std::string& out, std::string_view utf8);
// A PDF text string: a literal "(…)" when the text is printable ASCII, else "<FEFF…>" (UTF-16BE).
void appendTextString(std::string& out, std::string_view utf8);

// zlib's deflate, for FlateDecode streams. The state (about 256 kB) is made once and reset per
// stream, where compress2 would allocate and free it for every stream.
class Deflater {
public:
    explicit Deflater(int level);
    ~Deflater();
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;

    // Appends the zlib stream of data to out. Throws std::runtime_error if zlib fails.
    void compress(std::string_view data, std::string& out);

private:
    z_stream stream_{};
};

class PdfWriter {
public:
    PdfWriter();  // the header
    // A document that starts with everything prefix has written, with room for extra bytes more.
    PdfWriter(const PdfWriter& prefix, std::size_t extra);

    // A new object number, for an object written later (or referred to before it is written).
    int reserve();
    // Starts the object ("n 0 obj"), recording where it begins; end() closes it.
    void begin(int object);
    void end();
    std::string& bytes() { return bytes_; }
    // A stream object: `dictionary` holds any entries besides /Length (e.g. "/Filter /FlateDecode").
    void stream(int object, std::string_view dictionary, std::string_view data);

    // The cross-reference table, the trailer and %%EOF; the PDF's bytes. Every reserved object
    // must have been written (std::logic_error otherwise).
    std::string finish(int root, int info);

private:
    std::string bytes_;
    std::vector<std::size_t> offsets_;  // by object number - 1; npos until written
};

}  // namespace lms::certificates
