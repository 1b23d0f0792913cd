#pragma once
// MBTiles 1.3 (github.com/mapbox/mbtiles-spec) with SQLite: the `metadata` table (name/value
// rows) and the `tiles` table (zoom_level, tile_column, tile_row in the TMS scheme, so row
// 0 is the south edge, tile_data as given: gzip MVT here). Written into OUT.tmp in one transaction
// and renamed over OUT by finish(), so a reader never sees half an archive. One writer, one thread.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "geo/tile.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace crimemap::tools {

class MbtilesWriter {
  public:
    // Throws CliError when the file cannot be created.
    explicit MbtilesWriter(std::filesystem::path out);
    ~MbtilesWriter();
    MbtilesWriter(const MbtilesWriter&) = delete;
    MbtilesWriter& operator=(const MbtilesWriter&) = delete;

    void add_tile(geo::TileId tile, std::string_view data);  // tile in the XYZ scheme
    void set_metadata(std::string_view name, std::string_view value);
    // Commits and renames the temporary file to the output. Without it the destructor removes it.
    void finish();

  private:
    void exec(const char* sql);
    [[noreturn]] void fail(const std::string& what);
    std::filesystem::path out_, tmp_;
    sqlite3* db_ = nullptr;
    sqlite3_stmt* insert_tile_ = nullptr;
    sqlite3_stmt* insert_meta_ = nullptr;
    bool finished_ = false;
};

}  // namespace crimemap::tools
