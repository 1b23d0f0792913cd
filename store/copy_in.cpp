#include "store/copy_in.hpp"

namespace crimemap::store {

CopyIn::CopyIn(Connection& db, const std::string& copy_sql, std::size_t chunk_bytes)
    : db_(db), chunk_bytes_(chunk_bytes) {
    db_.copy_begin(copy_sql);
    active_ = true;
    buf_.reserve(chunk_bytes_ + 4096);
}

CopyIn::~CopyIn() { end_copy("COPY abandoned by the client"); }

void CopyIn::put_row(std::initializer_list<std::optional<std::string_view>> values) {
    put_row(std::span<const std::optional<std::string_view>>(values.begin(), values.size()));
}

void CopyIn::put_row(std::span<const std::optional<std::string_view>> values) {
    bool first = true;
    for (const auto& v : values) {
        if (!first) buf_.push_back('\t');
        first = false;
        if (v)
            append_copy_field(buf_, *v);
        else
            append_copy_null(buf_);
    }
    buf_.push_back('\n');
    ++rows_;
    flush_if_full();
}

void CopyIn::put(std::string_view copy_text) {
    buf_ += copy_text;
    flush_if_full();
}

void CopyIn::flush_if_full() {
    if (buf_.size() < chunk_bytes_) return;
    db_.copy_send(buf_);
    buf_.clear();
}

void CopyIn::finish() {
    if (!active_) throw PgError("COPY already finished or aborted");
    // Whatever happens below, the COPY is over for this guard: on a send error the destructor's
    // abort would only add a second error to the first.
    if (!buf_.empty()) {
        try {
            db_.copy_send(buf_);
        } catch (...) {
            end_copy("COPY send failed");
            throw;
        }
        buf_.clear();
    }
    active_ = false;
    db_.copy_end();
}

void CopyIn::abort(const std::string& reason) noexcept { end_copy(reason.c_str()); }

void CopyIn::end_copy(const char* reason) noexcept {
    if (!active_) return;
    active_ = false;
    buf_.clear();
    // The server answers the failed COPY with an error result ("COPY from stdin failed: <reason>");
    // draining every result leaves the connection ready for the next statement.
    PGconn* c = db_.raw();
    if (PQputCopyEnd(c, reason) == 1) {
        while (PGresult* r = PQgetResult(c)) PQclear(r);
    }
}

}  // namespace crimemap::store
