#pragma once
// PMTiles v3 (github.com/protomaps/PMTiles, spec/v3/spec.md), written from the spec: Hilbert tile
// ids, the 127-byte header, directories (varint, delta and run-length encoded; a root directory in
// the first 16 KiB and leaf directories when it would not fit) and the archive layout
//   header | root directory | JSON metadata | leaf directories | tile data.
// Pure: no I/O. PmtilesWriter hands tile bytes to a sink as they come (the exporter streams them to
// a temporary file) and returns everything that precedes the tile data at the end. Values only;
// one writer per thread.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geo/tile.hpp"

namespace crimemap::core::pmtiles {

inline constexpr std::size_t header_bytes = 127;
inline constexpr std::size_t root_budget_bytes = 16384;  // header + compressed root directory
inline constexpr int max_zoom = 31;                      // tile ids fit 64 bits up to here

enum class Compression : std::uint8_t { unknown = 0, none = 1, gzip = 2, brotli = 3, zstd = 4 };
enum class TileType : std::uint8_t { unknown = 0, mvt = 1, png = 2, jpeg = 3, webp = 4, avif = 5 };

// Position on the Hilbert curves of zooms 0, 1, 2, ... in turn (z0 is 0, z1 starts at 1, z2 at 5).
std::uint64_t tile_id(geo::TileId tile) noexcept;
// The inverse; nullopt past max_zoom.
std::optional<geo::TileId> tile_from_id(std::uint64_t id) noexcept;

// One directory entry: run_length tiles from tile_id share the bytes [offset, offset + length) of
// the tile data section; run_length 0 points at a leaf directory in the leaf section instead.
struct Entry {
    std::uint64_t tile_id = 0;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    std::uint32_t run_length = 0;
    friend bool operator==(const Entry&, const Entry&) = default;
};

// Entries must be sorted by tile_id. Uncompressed bytes.
std::string encode_directory(std::span<const Entry> entries);
// nullopt on truncated or malformed input (bounded: at most bytes.size() entries).
std::optional<std::vector<Entry>> decode_directory(std::string_view bytes);

struct Header {
    std::uint64_t root_offset = 0, root_length = 0;
    std::uint64_t metadata_offset = 0, metadata_length = 0;
    std::uint64_t leaf_offset = 0, leaf_length = 0;
    std::uint64_t tile_data_offset = 0, tile_data_length = 0;
    std::uint64_t addressed_tiles = 0, tile_entries = 0, tile_contents = 0;
    bool clustered = true;
    Compression internal_compression = Compression::gzip;
    Compression tile_compression = Compression::gzip;
    TileType tile_type = TileType::mvt;
    std::uint8_t min_zoom = 0, max_zoom = 0;
    double min_lon = -180, min_lat = -85, max_lon = 180, max_lat = 85;
    std::uint8_t center_zoom = 0;
    double center_lon = 0, center_lat = 0;
    friend bool operator==(const Header&, const Header&) = default;
};

std::string encode_header(const Header& header);  // exactly header_bytes
// nullopt unless the bytes start with "PMTiles" version 3.
std::optional<Header> decode_header(std::string_view bytes);

// Compresses directories and metadata (the header's internal compression).
using Compressor = std::function<std::string(std::string_view)>;

// Directories for sorted tile entries: everything in the root when header + compressed root fit
// 16 KiB, else leaves of equal entry counts (grown until the root of leaf pointers fits).
struct Directories {
    std::string root;    // compressed
    std::string leaves;  // compressed leaves, back to back
    std::size_t leaf_count = 0;
};
Directories build_directories(std::span<const Entry> entries, const Compressor& compress);

// Writes a clustered archive: add tiles in ascending tile id order; their bytes (already
// compressed as Header::tile_compression says) go to the sink in that order, a tile equal to the
// one just before it (the next id) extends that entry's run instead. finish() returns the header,
// root directory, metadata and leaf directories: the archive is that, then the sink's bytes.
class PmtilesWriter {
  public:
    using Sink = std::function<void(std::string_view)>;
    PmtilesWriter(Sink sink, Compressor compress);

    // Throws std::invalid_argument when ids do not ascend or the tile is empty.
    void add_tile(std::uint64_t tile_id, std::string_view bytes);

    // header: the fields describing the tiles (compression, type, zooms, bounds, centre); the
    // offsets, lengths and counts are filled in here. metadata_json: a JSON object as text.
    std::string finish(Header header, std::string_view metadata_json);

    std::uint64_t tile_data_bytes() const { return data_bytes_; }
    std::uint64_t addressed_tiles() const { return addressed_; }
    std::uint64_t tile_contents() const { return contents_; }

  private:
    Sink sink_;
    Compressor compress_;
    std::vector<Entry> entries_;
    std::string last_bytes_;  // the previous tile, to extend its run when the next one equals it
    std::uint64_t data_bytes_ = 0, addressed_ = 0, contents_ = 0;
    bool finished_ = false;
};

}  // namespace crimemap::core::pmtiles
