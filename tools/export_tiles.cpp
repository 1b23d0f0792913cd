#include "tools/export_tiles.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/api_data.hpp"
#include "core/gzip.hpp"
#include "core/layers.hpp"
#include "core/pmtiles_writer.hpp"
#include "core/tile_engine.hpp"
#include "store/snapshot_loader.hpp"
#include "tools/common.hpp"
#include "tools/mbtiles_writer.hpp"

namespace crimemap::tools {

namespace {
namespace pm = core::pmtiles;

enum class Format { pmtiles, mbtiles };

Format format_of(const std::string& out) {
    if (name_ends_with(out, ".pmtiles")) return Format::pmtiles;
    if (name_ends_with(out, ".mbtiles")) return Format::mbtiles;
    throw CliError("the output must end in .pmtiles or .mbtiles: " + out);
}

int parse_zoom(const Args& args, const char* name, int fallback) {
    auto text = args.get(name);
    if (!text) return fallback;
    int z = -1;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), z);
    if (ec != std::errc() || end != text->data() + text->size() || z < 0 || z > core::max_zoom)
        throw CliError(std::string("--") + name + " must be a zoom 0.." + std::to_string(core::max_zoom));
    return z;
}

// "west,south,east,north" in degrees.
geo::LonLatBounds parse_bbox(const std::string& text) {
    double v[4];
    std::size_t at = 0;
    for (int i = 0; i < 4; ++i) {
        std::size_t end = i < 3 ? text.find(',', at) : text.size();
        if (end == std::string::npos) throw CliError("--bbox must be west,south,east,north in degrees");
        auto [p, ec] = std::from_chars(text.data() + at, text.data() + end, v[i]);
        if (ec != std::errc() || p != text.data() + end || !std::isfinite(v[i]))
            throw CliError("--bbox must be west,south,east,north in degrees");
        at = end + 1;
    }
    if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] >= v[2] || v[1] >= v[3])
        throw CliError("--bbox: west < east within -180..180, south < north within -90..90");
    return {v[0], v[1], v[2], v[3]};
}

using TileKey = std::uint64_t;  // x << 32 | y
TileKey key_of(std::uint32_t x, std::uint32_t y) { return (TileKey{x} << 32) | y; }

// Tile column/row range of a world box at zoom z, clamped to the grid.
struct TileRange {
    std::uint32_t x0, y0, x1, y1;
};
TileRange tile_range(const geo::Box& b, int z) {
    const double scale = std::ldexp(1.0, z - 32);
    const double last = std::ldexp(1.0, z) - 1;
    auto cell = [&](double v) {
        return static_cast<std::uint32_t>(std::clamp(std::floor(v * scale), 0.0, last));
    };
    return {cell(b.min_x), cell(b.min_y), cell(b.max_x), cell(b.max_y)};
}

// The tiles of zoom z that hold something the layers draw: a snap location, or the bounds of an
// area of the kind drawn. Rendering decides which of them are empty for the filter.
std::vector<geo::TileId> candidate_tiles(const core::Snapshot& s, const ExportOptions& o, int z) {
    std::vector<TileKey> keys;
    const auto& layers = o.query.layers;
    auto add_point = [&](geo::WorldPoint w) {
        auto t = geo::tile_containing(w, static_cast<std::uint8_t>(z));
        TileKey k = key_of(t.x, t.y);
        if (keys.empty() || keys.back() != k) keys.push_back(k);  // neighbours share tiles (morton order)
    };
    // Streets are labelled at snap locations, as crimes are drawn there.
    if (layers.contains(core::LayerKind::crimes) || layers.contains(core::LayerKind::labels))
        for (const auto& loc : s.locations) add_point(loc.world);
    if (layers.contains(core::LayerKind::stops))
        for (const auto& loc : s.stops.locations) add_point(loc.world);
    if (layers.contains(core::LayerKind::labels)) {
        for (const auto& l : s.place_labels) add_point(l.world);
        if (s.api && z >= core::layer_registry::postcode_labels_minzoom)
            s.api->postcodes.for_each_in_tile(
                geo::TileId{0, 0, 0}, [&](const core::PostcodeRecord&, geo::WorldPoint w) { add_point(w); });
    }
    auto add_areas = [&](core::AreaKind kind) {
        for (auto i : s.areas_by_kind[static_cast<std::size_t>(kind)]) {
            auto r = tile_range(s.areas[i].bounds, z);
            for (auto x = r.x0; x <= r.x1; ++x)
                for (auto y = r.y0; y <= r.y1; ++y) keys.push_back(key_of(x, y));
        }
    };
    if (layers.contains(core::LayerKind::areas)) add_areas(o.query.area_kind);
    if (layers.contains(core::LayerKind::performance)) add_areas(core::AreaKind::lad);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

    std::optional<TileRange> clip;
    if (o.bbox) {
        geo::Box box;
        box.expand(geo::to_world_xy(geo::LonLat{o.bbox->west, o.bbox->north}));
        box.expand(geo::to_world_xy(geo::LonLat{o.bbox->east, o.bbox->south}));
        clip = tile_range(box, z);
    }
    std::vector<geo::TileId> tiles;
    tiles.reserve(keys.size());
    for (TileKey k : keys) {
        const auto x = static_cast<std::uint32_t>(k >> 32), y = static_cast<std::uint32_t>(k & 0xffffffffu);
        if (clip && (x < clip->x0 || x > clip->x1 || y < clip->y0 || y > clip->y1)) continue;
        tiles.push_back({static_cast<std::uint8_t>(z), x, y});
    }
    // Clustered PMTiles wants tile id (Hilbert) order; MBTiles does not mind.
    std::sort(tiles.begin(), tiles.end(),
              [](const geo::TileId& a, const geo::TileId& b) { return pm::tile_id(a) < pm::tile_id(b); });
    return tiles;
}

int year_of(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return tm.tm_year + 1900;
}

std::string megabytes(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return text;
}

// The archive's description of itself: TileJSON's vector_layers limited to the exported zooms, the
// attribution, and the filter that made it.
nlohmann::json archive_metadata(const core::Snapshot& s, const ExportOptions& o) {
    nlohmann::json layers = core::vector_layers_json(o.query.layers);
    for (auto& layer : layers) {
        layer["minzoom"] = std::max(layer["minzoom"].get<int>(), o.minzoom);
        layer["maxzoom"] = std::min(layer["maxzoom"].get<int>(), o.maxzoom);
    }
    const auto& f = o.query.filter;
    nlohmann::json categories = nlohmann::json::array();
    for (std::size_t i = 0; i < core::category_count; ++i)
        if (f.categories.test(i)) categories.push_back(core::categories[i].slug);
    const std::string period =
        f.months.from == f.months.to ? f.months.from.str() : f.months.from.str() + ".." + f.months.to.str();
    nlohmann::json filter{{"from", f.months.from.str()},
                          {"to", f.months.to.str()},
                          {"category", f.all_categories() ? nlohmann::json("all-crime") : categories}};
    if (o.query.layers.contains(core::LayerKind::areas)) filter["kind"] = core::to_string(o.query.area_kind);
    if (o.query.layers.contains(core::LayerKind::performance)) {
        filter["indicator"] = o.query.indicator;
        if (!o.query.period.empty()) filter["period"] = o.query.period;
    }
    auto when =
        s.created_at.time_since_epoch().count() != 0 ? s.created_at : std::chrono::system_clock::now();
    return {
        {"name", "crimemap " + o.query.layers.canonical() + " " + period},
        {"description", "police.uk street-level crime data and area statistics as vector tiles, " + period},
        {"attribution", core::data_attribution(year_of(when))},
        {"type", "overlay"},
        {"version", "1.0.0"},
        {"format", "pbf"},
        {"generator", "crimemap export tiles"},
        {"vector_layers", std::move(layers)},
        {"crimemap", {{"dataset_version", s.version}, {"filter", std::move(filter)}}},
    };
}

struct View {
    geo::LonLatBounds bounds;
    double center_lon, center_lat;
    int center_zoom;
};
View view_of(const core::Snapshot& s, const ExportOptions& o) {
    View v{};
    if (o.bbox) {
        v.bounds = *o.bbox;
    } else {
        v.bounds = {s.min_lonlat.lon, s.min_lonlat.lat, s.max_lonlat.lon, s.max_lonlat.lat};
    }
    // As TileJSON: centre on where most of the data is, not on the bounds of a few outliers.
    const double west = o.bbox ? o.bbox->west : s.focus_min_lonlat.lon;
    const double east = o.bbox ? o.bbox->east : s.focus_max_lonlat.lon;
    const double south = o.bbox ? o.bbox->south : s.focus_min_lonlat.lat;
    const double north = o.bbox ? o.bbox->north : s.focus_max_lonlat.lat;
    v.center_lon = (west + east) / 2;
    v.center_lat = (south + north) / 2;
    v.center_zoom = std::clamp(static_cast<int>(std::floor(std::log2(360.0 / std::max(east - west, 1e-6)))),
                               o.minzoom, o.maxzoom);
    return v;
}

// One line on a terminal, redrawn at most 4 times a second (quiet in pipes and tests).
class ExportProgress {
  public:
    ExportProgress() : enabled_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}
    ~ExportProgress() {
        if (drawn_) std::fputs("\r\x1b[K", stderr);
    }
    ExportProgress(const ExportProgress&) = delete;
    ExportProgress& operator=(const ExportProgress&) = delete;
    void draw(int z, std::uint64_t done, std::uint64_t of, std::uint64_t written, std::uint64_t bytes) {
        if (!enabled_) return;
        auto now = std::chrono::steady_clock::now();
        if (drawn_ && now - last_ < std::chrono::milliseconds(250)) return;
        last_ = now;
        std::fprintf(stderr, "\r\x1b[Kexport: z%d %s/%s tiles, %s written, %s, %.1f s", z,
                     with_commas(done).c_str(), with_commas(of).c_str(), with_commas(written).c_str(),
                     megabytes(bytes).c_str(), seconds_since(start_));
        std::fflush(stderr);
        drawn_ = true;
    }

  private:
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace

ExportResult export_tiles(const core::Snapshot& snapshot, const ExportOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    const Format format = format_of(options.out);
    const std::filesystem::path out = options.out, tmp = options.out + ".tmp",
                                data_tmp = options.out + ".tiles.tmp";
    auto renderer = core::make_memory_renderer();
    const unsigned threads =
        std::max(1u, options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency()));

    // PMTiles: tile bytes go to a side file in id order; the directories are known only at the end.
    std::ofstream data_file;
    std::optional<pm::PmtilesWriter> pmtiles;
    std::optional<MbtilesWriter> mbtiles;
    if (format == Format::pmtiles) {
        data_file.open(data_tmp, std::ios::binary | std::ios::trunc);
        if (!data_file) throw CliError("cannot write " + data_tmp.string());
        pmtiles.emplace(
            [&](std::string_view b) { data_file.write(b.data(), static_cast<std::streamsize>(b.size())); },
            [](std::string_view b) { return core::gzip_compress(b, 9); });
    } else {
        mbtiles.emplace(out);
    }
    struct Cleanup {
        std::filesystem::path a, b;
        ~Cleanup() {
            std::error_code ec;
            std::filesystem::remove(a, ec);
            std::filesystem::remove(b, ec);
        }
    } cleanup{data_tmp, tmp};

    ExportResult result;
    ExportProgress progress;
    constexpr std::size_t batch = 256;
    std::vector<std::string> rendered(batch);
    for (int z = options.minzoom; z <= options.maxzoom; ++z) {
        const auto tiles = candidate_tiles(snapshot, options, z);
        result.candidates += tiles.size();
        for (std::size_t first = 0; first < tiles.size(); first += batch) {
            const std::size_t n = std::min(batch, tiles.size() - first);
            // Render and gzip a batch on every thread, then write it in order.
            std::atomic<std::size_t> next{0};
            std::atomic<bool> failed{false};
            std::string failure;
            auto work = [&] {
                for (std::size_t i; !failed && (i = next.fetch_add(1)) < n;) {
                    core::TileQuery q = options.query;
                    q.tile = tiles[first + i];
                    auto tile = renderer->render(snapshot, q);
                    if (!tile) {
                        if (!failed.exchange(true)) failure = tile.error().detail;
                        return;
                    }
                    rendered[i] = tile->mvt.empty() ? std::string() : core::gzip_compress(tile->mvt, 6);
                }
            };
            std::vector<std::jthread> pool;
            for (unsigned t = 1; t < std::min<unsigned>(threads, static_cast<unsigned>(n)); ++t)
                pool.emplace_back(work);
            work();
            pool.clear();
            if (failed) throw CliError("cannot render a tile: " + failure);
            for (std::size_t i = 0; i < n; ++i) {
                if (rendered[i].empty()) continue;  // nothing drawn: not stored, readers see no tile
                ++result.tiles;
                result.tile_bytes += rendered[i].size();
                if (pmtiles)
                    pmtiles->add_tile(pm::tile_id(tiles[first + i]), rendered[i]);
                else
                    mbtiles->add_tile(tiles[first + i], rendered[i]);
            }
            progress.draw(z, first + n, tiles.size(), result.tiles, result.tile_bytes);
        }
    }
    if (result.tiles == 0)
        throw CliError("nothing to export: every tile is empty for these layers, filters and zooms");

    const View view = view_of(snapshot, options);
    const nlohmann::json metadata = archive_metadata(snapshot, options);
    if (pmtiles) {
        data_file.close();
        if (!data_file) throw CliError("cannot write " + data_tmp.string());
        pm::Header h;
        h.tile_type = pm::TileType::mvt;
        h.tile_compression = pm::Compression::gzip;
        h.internal_compression = pm::Compression::gzip;
        h.min_zoom = static_cast<std::uint8_t>(options.minzoom);
        h.max_zoom = static_cast<std::uint8_t>(options.maxzoom);
        h.min_lon = view.bounds.west;
        h.min_lat = view.bounds.south;
        h.max_lon = view.bounds.east;
        h.max_lat = view.bounds.north;
        h.center_zoom = static_cast<std::uint8_t>(view.center_zoom);
        h.center_lon = view.center_lon;
        h.center_lat = view.center_lat;
        const std::string prefix = pmtiles->finish(h, metadata.dump());
        {
            std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
            std::ifstream data(data_tmp, std::ios::binary);
            file.write(prefix.data(), static_cast<std::streamsize>(prefix.size()));
            if (pmtiles->tile_data_bytes() > 0) file << data.rdbuf();
            file.close();
            if (!file) throw CliError("cannot write " + tmp.string());
        }
        std::error_code ec;
        std::filesystem::rename(tmp, out, ec);
        if (ec) throw CliError("cannot rename " + tmp.string() + " to " + out.string() + ": " + ec.message());
    } else {
        char bounds[128], center[128];
        std::snprintf(bounds, sizeof bounds, "%.6f,%.6f,%.6f,%.6f", view.bounds.west, view.bounds.south,
                      view.bounds.east, view.bounds.north);
        std::snprintf(center, sizeof center, "%.6f,%.6f,%d", view.center_lon, view.center_lat,
                      view.center_zoom);
        for (const char* key : {"name", "description", "attribution", "type", "format"})
            mbtiles->set_metadata(key, metadata[key].get<std::string>());
        mbtiles->set_metadata("version", "1");
        mbtiles->set_metadata("bounds", bounds);
        mbtiles->set_metadata("center", center);
        mbtiles->set_metadata("minzoom", std::to_string(options.minzoom));
        mbtiles->set_metadata("maxzoom", std::to_string(options.maxzoom));
        mbtiles->set_metadata("json", nlohmann::json{{"vector_layers", metadata["vector_layers"]},
                                                     {"crimemap", metadata["crimemap"]}}
                                          .dump());
        mbtiles->finish();
    }
    result.bytes = std::filesystem::file_size(out);
    result.seconds = seconds_since(start);
    return result;
}

int cmd_export(const std::vector<std::string>& argv) {
    static const char* usage =
        "usage: crimemap export tiles OUT.pmtiles|OUT.mbtiles [--layers crimes[,areas]] [--minzoom 0]\n"
        "         [--maxzoom 12] [--from YYYY-MM --to YYYY-MM] [--category SLUG[,SLUG]] [--kind KIND]\n"
        "         [--bbox WEST,SOUTH,EAST,NORTH] [--threads N] [--database-url URL]\n"
        "\n"
        "Writes every non-empty tile of the zoom range, rendered by crimemapd's in-memory engine from\n"
        "the current dataset version, into one static archive for a CDN or static hosting: PMTiles v3\n"
        "(clustered, gzip tiles; serve it with crimemapd --tiles or any server with HTTP Range support)\n"
        "or MBTiles 1.3 (SQLite). Tiles are the server's /tiles/{layers}/{z}/{x}/{y}.mvt for the same\n"
        "filter; the metadata carries TileJSON's vector_layers and the filter.\n"
        "\n"
        "  --layers L        crimes, areas, performance or a list (default crimes)\n"
        "  --minzoom Z       first zoom (default 0)\n"
        "  --maxzoom Z       last zoom (default 12; crimes are snap points from z14)\n"
        "  --from, --to      months YYYY-MM (default: the latest month)\n"
        "  --category S      police.uk slugs, comma separated (default all)\n"
        "  --kind K          areas layer: lsoa, msoa, ward, lad, pfa or neighbourhood (default lsoa)\n"
        "  --cells N         crimes z0-13: cluster cells per tile side, 8|16|32|64 (default 64)\n"
        "  --indicator CODE  performance layer: the indicator (--period P, default the latest)\n"
        "  --bbox W,S,E,N    only tiles touching this box (degrees; default: all the data)\n"
        "  --threads N       render threads (default: all cores)\n"
        "  --database-url U  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)\n";
    if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
        std::fputs(usage, argv.empty() ? stderr : stdout);
        return argv.empty() ? 2 : 0;
    }
    if (argv[0] != "tiles") throw CliError("unknown export kind '" + argv[0] + "' (tiles)");
    Args args(std::vector<std::string>(argv.begin() + 1, argv.end()),
              {"layers", "minzoom", "maxzoom", "from", "to", "category", "kind", "cells", "indicator",
               "period", "bbox", "threads", "database-url"},
              {});
    if (args.help()) {
        std::fputs(usage, stdout);
        return 0;
    }
    if (args.positional().size() != 1) throw CliError("export tiles takes one output file (see --help)");

    ExportOptions options;
    options.out = args.positional()[0];
    format_of(options.out);
    options.minzoom = parse_zoom(args, "minzoom", 0);
    options.maxzoom = parse_zoom(args, "maxzoom", 12);
    if (options.minzoom > options.maxzoom) throw CliError("--minzoom is above --maxzoom");
    if (auto b = args.get("bbox")) options.bbox = parse_bbox(*b);
    if (auto t = args.get("threads")) {
        unsigned n = 0;
        auto [end, ec] = std::from_chars(t->data(), t->data() + t->size(), n);
        if (ec != std::errc() || end != t->data() + t->size() || n == 0 || n > 256)
            throw CliError("--threads must be 1..256");
        options.threads = n;
    }

    const auto start = std::chrono::steady_clock::now();
    store::Connection db(database_url(args));
    if (!store::current_dataset_version(db))
        throw CliError("the database has no dataset version yet: import data and run crimemap refresh first");
    auto snapshot = store::load_snapshot(db);
    const double load_seconds = seconds_since(start);

    // The filters are parsed exactly as a tile URL's query string would be.
    core::QueryParams params;
    for (const char* name : {"from", "to", "category", "kind", "cells", "indicator", "period"})
        if (auto v = args.get(name)) params.emplace_back(name, *v);
    auto query = core::parse_tile_query(args.get_or("layers", "crimes"), std::to_string(options.minzoom), "0",
                                        "0", params, *snapshot);
    if (!query) throw CliError(query.error().detail);
    options.query = *query;

    auto r = export_tiles(*snapshot, options);
    std::printf(
        "exported %s tiles (z%d-%d, %s; %s empty skipped) to %s: %s (tiles %s) in %.2f s, %s tiles/s; "
        "snapshot of version %lld loaded in %.1f s\n",
        with_commas(r.tiles).c_str(), options.minzoom, options.maxzoom,
        options.query.layers.canonical().c_str(), with_commas(r.candidates - r.tiles).c_str(),
        options.out.c_str(), megabytes(r.bytes).c_str(), megabytes(r.tile_bytes).c_str(), r.seconds,
        with_commas(per_second(r.tiles, r.seconds)).c_str(), static_cast<long long>(snapshot->version),
        load_seconds);
    return 0;
}

}  // namespace crimemap::tools
