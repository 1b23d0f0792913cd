#include "tools/mbtiles_writer.hpp"

#include <sqlite3.h>

#include <system_error>

#include "tools/common.hpp"

namespace crimemap::tools {

MbtilesWriter::MbtilesWriter(std::filesystem::path out) : out_(std::move(out)) {
    tmp_ = out_;
    tmp_ += ".tmp";
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
    if (sqlite3_open_v2(tmp_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
        fail("cannot create " + tmp_.string());
    // A fresh file written once: no journal needed, the rename is the commit that matters.
    exec("PRAGMA journal_mode = OFF");
    exec("PRAGMA synchronous = OFF");
    exec("PRAGMA application_id = 1297105496");  // 0x4d504258 "MPBX", as MBTiles 1.3 asks
    exec("CREATE TABLE metadata (name text, value text)");
    exec("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)");
    exec("BEGIN");
    if (sqlite3_prepare_v2(db_, "INSERT INTO tiles VALUES (?, ?, ?, ?)", -1, &insert_tile_, nullptr) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db_, "INSERT INTO metadata VALUES (?, ?)", -1, &insert_meta_, nullptr) !=
            SQLITE_OK)
        fail("cannot prepare the inserts");
}

MbtilesWriter::~MbtilesWriter() {
    sqlite3_finalize(insert_tile_);
    sqlite3_finalize(insert_meta_);
    sqlite3_close(db_);
    if (!finished_) {
        std::error_code ec;
        std::filesystem::remove(tmp_, ec);
    }
}

void MbtilesWriter::fail(const std::string& what) {
    std::string detail = db_ ? sqlite3_errmsg(db_) : "out of memory";
    throw CliError(what + " (" + out_.string() + "): " + detail);
}

void MbtilesWriter::exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(std::string("sqlite: ") + sql);
}

void MbtilesWriter::add_tile(geo::TileId tile, std::string_view data) {
    const std::int64_t tms_row = (std::int64_t{1} << tile.z) - 1 - tile.y;  // TMS: row 0 is the south
    sqlite3_reset(insert_tile_);
    sqlite3_bind_int(insert_tile_, 1, tile.z);
    sqlite3_bind_int64(insert_tile_, 2, tile.x);
    sqlite3_bind_int64(insert_tile_, 3, tms_row);
    sqlite3_bind_blob64(insert_tile_, 4, data.data(), data.size(), SQLITE_TRANSIENT);
    if (sqlite3_step(insert_tile_) != SQLITE_DONE) fail("cannot write a tile");
}

void MbtilesWriter::set_metadata(std::string_view name, std::string_view value) {
    sqlite3_reset(insert_meta_);
    sqlite3_bind_text(insert_meta_, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text64(insert_meta_, 2, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (sqlite3_step(insert_meta_) != SQLITE_DONE) fail("cannot write metadata");
}

void MbtilesWriter::finish() {
    // The index after the rows: one sort instead of a b-tree insert per tile.
    exec("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)");
    exec("CREATE UNIQUE INDEX name ON metadata (name)");
    exec("COMMIT");
    sqlite3_finalize(insert_tile_);
    sqlite3_finalize(insert_meta_);
    insert_tile_ = insert_meta_ = nullptr;
    if (sqlite3_close(db_) != SQLITE_OK) fail("cannot close");
    db_ = nullptr;
    std::error_code ec;
    std::filesystem::rename(tmp_, out_, ec);
    if (ec) throw CliError("cannot rename " + tmp_.string() + " to " + out_.string() + ": " + ec.message());
    finished_ = true;
}

}  // namespace crimemap::tools
