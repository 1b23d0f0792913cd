#include "tools/csv.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tools/common.hpp"

namespace crimemap::tools {
namespace {

struct GzCloser {
    void operator()(gzFile f) const noexcept { gzclose(f); }
};

// zlib reads gzip and passes plain files through unchanged (gzdirect), so one class serves both.
class GzFileSource final : public ByteSource {
  public:
    explicit GzFileSource(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
        if (!f_) throw CliError(path + ": cannot open (" + std::strerror(errno) + ")");
        gzbuffer(f_.get(), 1 << 18);
    }
    std::size_t read(char* dst, std::size_t n) override {
        int got = gzread(f_.get(), dst, static_cast<unsigned>(n));
        if (got < 0) {
            int code = 0;
            const char* msg = gzerror(f_.get(), &code);
            throw CliError(path_ + ": read error (" + (msg ? msg : "unknown") + ")");
        }
        if (got == 0 && !gzeof(f_.get())) {
            int code = 0;
            const char* msg = gzerror(f_.get(), &code);
            if (code != Z_OK) throw CliError(path_ + ": read error (" + (msg ? msg : "unknown") + ")");
        }
        return static_cast<std::size_t>(got);
    }

  private:
    std::string path_;
    std::unique_ptr<gzFile_s, GzCloser> f_;
};

class StringSource final : public ByteSource {
  public:
    explicit StringSource(std::string data) : data_(std::move(data)) {}
    std::size_t read(char* dst, std::size_t n) override {
        std::size_t k = std::min(n, data_.size() - pos_);
        std::memcpy(dst, data_.data() + pos_, k);
        pos_ += k;
        return k;
    }

  private:
    std::string data_;
    std::size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> open_file_source(const std::string& path) {
    return std::make_unique<GzFileSource>(path);
}
std::unique_ptr<ByteSource> string_source(std::string data) {
    return std::make_unique<StringSource>(std::move(data));
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, std::size_t buffer_bytes)
    : source_(std::move(source)), buf_(std::max<std::size_t>(buffer_bytes, 4)) {}  // 4: room to see a BOM

bool CsvReader::fill() {
    if (eof_) return false;
    pos_ = 0;
    end_ = source_->read(buf_.data(), buf_.size());
    if (end_ == 0) {
        eof_ = true;
        return false;
    }
    if (!started_) {
        started_ = true;
        if (end_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;  // UTF-8 BOM
        if (pos_ == end_) return fill();
    }
    return true;
}

bool CsvReader::next() {
    for (;;) {
        record_.clear();
        ends_.clear();
        fields_.clear();
        unterminated_ = false;
        if (peek() < 0) return false;
        record_line_ = line_;
        bool any_quoted = false;
        // One record: fields separated by commas, ended by LF, CRLF, a lone CR, or the end of input.
        for (;;) {
            int c = get();
            if (c == '"') {
                any_quoted = true;
                // Quoted section: everything up to the closing quote; "" is a literal quote.
                for (;;) {
                    int q = get();
                    if (q < 0) {
                        unterminated_ = true;
                        break;
                    }
                    if (q == '"') {
                        if (peek() == '"') {
                            get();
                            record_.push_back('"');
                            continue;
                        }
                        break;
                    }
                    if (q == '\n') ++line_;
                    record_.push_back(static_cast<char>(q));
                }
                if (unterminated_) {
                    ends_.push_back(record_.size());
                    break;
                }
                continue;  // characters after the closing quote are kept as they are
            }
            if (c == ',') {
                ends_.push_back(record_.size());
                continue;
            }
            if (c == '\n' || c == '\r' || c < 0) {
                if (c == '\r' && peek() == '\n') get();
                if (c >= 0) ++line_;
                ends_.push_back(record_.size());
                break;
            }
            record_.push_back(static_cast<char>(c));
        }
        // A blank line is not a record.
        if (ends_.size() == 1 && ends_[0] == 0 && !any_quoted && !unterminated_) continue;
        std::size_t start = 0;
        for (std::size_t e : ends_) {
            fields_.emplace_back(record_.data() + start, e - start);
            start = e;
        }
        return true;
    }
}

}  // namespace crimemap::tools
