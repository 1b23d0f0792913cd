#pragma once
// Streaming CSV (RFC 4180 plus what real exports do): quoted fields with "" escapes and embedded
// commas/newlines, CRLF or LF line ends, a UTF-8 byte-order mark at the start, blank lines skipped.
// Input comes from a ByteSource, so memory stays flat whatever the file size. Not thread-safe.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace crimemap::tools {

// A sequential source of bytes. read() returns 0 at the end; it throws on an I/O error.
class ByteSource {
  public:
    virtual ~ByteSource() = default;
    virtual std::size_t read(char* dst, std::size_t n) = 0;
};

// A file, plain or gzip-compressed (detected from its content, not its name). Throws CliError when
// it cannot be opened or read.
std::unique_ptr<ByteSource> open_file_source(const std::string& path);
// An in-memory string (tests).
std::unique_ptr<ByteSource> string_source(std::string data);

class CsvReader {
  public:
    // buffer_bytes: how much is read from the source at a time (at least 4; records may be longer).
    explicit CsvReader(std::unique_ptr<ByteSource> source, std::size_t buffer_bytes = 1 << 18);

    // Reads the next record; false at the end of input. The fields stay valid until the next call.
    bool next();
    std::size_t size() const { return fields_.size(); }
    std::string_view operator[](std::size_t i) const { return fields_[i]; }
    const std::vector<std::string_view>& fields() const { return fields_; }
    // 1-based line number on which the current record starts (a record may span lines).
    std::uint64_t line() const { return record_line_; }
    // The current record hit the end of input inside an open quote (a truncated file).
    bool unterminated_quote() const { return unterminated_; }

  private:
    int get() {
        if (pos_ == end_ && !fill()) return -1;
        return static_cast<unsigned char>(buf_[pos_++]);
    }
    int peek() {
        if (pos_ == end_ && !fill()) return -1;
        return static_cast<unsigned char>(buf_[pos_]);
    }
    bool fill();

    std::unique_ptr<ByteSource> source_;
    std::vector<char> buf_;
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;
    bool started_ = false;
    std::string record_;             // field bytes, back to back
    std::vector<std::size_t> ends_;  // end offset of each field in record_
    std::vector<std::string_view> fields_;
    std::uint64_t line_ = 1;  // line of the next unread byte
    std::uint64_t record_line_ = 0;
    bool unterminated_ = false;
};

}  // namespace crimemap::tools
