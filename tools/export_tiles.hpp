#pragma once
// `crimemap export tiles OUT.pmtiles|OUT.mbtiles --layers crimes[,areas] ...`: loads the snapshot
// from PostGIS exactly as crimemapd does (store/snapshot_loader), renders every non-empty tile of
// the zoom range with the server's in-memory engine (core/tile_engine) and writes a PMTiles v3
// (core/pmtiles_writer) or MBTiles 1.3 (tools/mbtiles_writer) archive of gzip MVT tiles, with the
// same vector_layers as TileJSON. For CDNs and static hosting of a fixed period.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/snapshot.hpp"
#include "core/tile_query.hpp"
#include "geo/tile.hpp"

namespace crimemap::tools {

struct ExportOptions {
    std::string out;        // .pmtiles or .mbtiles
    core::TileQuery query;  // layers and filters; the tile is set per tile
    int minzoom = 0;
    int maxzoom = 12;
    std::optional<geo::LonLatBounds> bbox;  // only tiles touching it; default: where the data is
    unsigned threads = 0;                   // 0 = hardware concurrency
};

struct ExportResult {
    std::uint64_t candidates = 0;  // tiles considered (those touching data)
    std::uint64_t tiles = 0;       // written (non-empty)
    std::uint64_t bytes = 0;       // size of the archive file
    std::uint64_t tile_bytes = 0;  // gzip tile data
    double seconds = 0;
};

// Writes the archive (atomically: OUT.tmp renamed at the end). Throws CliError.
ExportResult export_tiles(const core::Snapshot& snapshot, const ExportOptions& options);

int cmd_export(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
