#pragma once
// store::CopyIn: one COPY ... FROM STDIN (text format) on a Connection, as an RAII guard.
//
//   store::CopyIn copy(db, "COPY staging FROM STDIN");   // begins the COPY (throws PgError)
//   copy.put_row({"E01014010", std::nullopt, "1520"});   // one row; nullopt is SQL NULL
//   copy.finish();                                       // sends the rest, waits for the verdict
//
// Rows are escaped and buffered, and sent in chunks of about chunk_bytes. finish() throws PgError
// when the server rejects the data. abort(reason) ends the COPY with an error instead, so the server
// discards every row and the connection stays usable for the next statement; the destructor does
// the same for a COPY that was neither finished nor aborted (an exception on the way). Inside a
// transaction, an aborted COPY leaves that transaction failed: roll it back. Not thread-safe, like
// the Connection it borrows (which must outlive it).
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/pg.hpp"

namespace crimemap::store {

class CopyIn {
  public:
    // Sends the COPY statement; throws PgError when it fails or is not a COPY FROM STDIN.
    CopyIn(Connection& db, const std::string& copy_sql, std::size_t chunk_bytes = std::size_t{1} << 20);
    ~CopyIn();
    CopyIn(const CopyIn&) = delete;
    CopyIn& operator=(const CopyIn&) = delete;

    // One row: each value escaped for the text format, nullopt written as \N.
    void put_row(std::initializer_list<std::optional<std::string_view>> values);
    // The same for a row whose width is known only at run time.
    void put_row(std::span<const std::optional<std::string_view>> values);
    // Rows already in COPY text format (escaped, tab-separated, each ending in '\n').
    void put(std::string_view copy_text);

    // Sends what is buffered and ends the COPY; throws PgError when the server rejects the data.
    void finish();
    // Ends the COPY with an error (the server discards the rows); never throws. No-op when done.
    void abort(const std::string& reason) noexcept;

    bool active() const noexcept { return active_; }
    std::uint64_t rows() const noexcept { return rows_; }  // rows given to put_row

  private:
    void flush_if_full();
    void end_copy(const char* reason) noexcept;
    Connection& db_;
    std::string buf_;
    std::size_t chunk_bytes_;
    std::uint64_t rows_ = 0;
    bool active_ = false;
};

}  // namespace crimemap::store
