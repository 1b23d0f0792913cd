// `crimemap export tiles` on the seeded sample: the PMTiles archive read back by following its
// own header and directories (decoded with libprotobuf), the MBTiles archive read by GDAL's MVT
// driver (ogrinfo) and by sqlite3, and every crime of the filter found exactly once per zoom, against
// an independent SQL count. The npm `pmtiles` reader and the browser test read exports too
// (tests/node/pmtiles_export.test.mjs, web/tests/).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "core/gzip.hpp"
#include "core/layers.hpp"
#include "core/pmtiles_writer.hpp"
#include "support/mvt_decode.hpp"
#include "support/test_db.hpp"

namespace pm = crimemap::core::pmtiles;
using crimemap::geo::TileId;
using crimemap::test::TestDatabase;

namespace {

struct Sample {
    TestDatabase db;
    std::filesystem::path dir;
    Sample() {
        db.seed_sample();
        char tmpl[] = "/tmp/crimemap-export-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
    }
    ~Sample() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};
Sample& sample() {
    static Sample s;  // seeded once per process
    return s;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string gunzip(std::string_view s) { return crimemap::core::gzip_decompress(s).value(); }

// Every tile of a PMTiles archive, found through the header, the root and the leaf directories.
struct Archive {
    pm::Header header;
    nlohmann::json metadata;
    std::map<std::uint64_t, std::string> tiles;  // tile id -> gzip MVT
    std::size_t leaf_count = 0;
};

Archive read_pmtiles(const std::filesystem::path& path) {
    const std::string bytes = read_file(path);
    Archive a;
    a.header = pm::decode_header(bytes).value();
    const auto& h = a.header;
    EXPECT_LE(h.root_offset + h.root_length, pm::root_budget_bytes);
    EXPECT_EQ(h.tile_data_offset + h.tile_data_length, bytes.size());
    a.metadata = nlohmann::json::parse(gunzip(bytes.substr(h.metadata_offset, h.metadata_length)));
    std::uint64_t expected_offset = 0;  // clustered: tile bytes follow each other in id order
    std::function<void(std::string_view, bool)> walk = [&](std::string_view dir, bool root) {
        const auto entries = pm::decode_directory(gunzip(dir));
        if (!entries) {
            ADD_FAILURE() << "a directory does not decode";
            return;
        }
        for (const pm::Entry& e : *entries) {
            if (e.run_length == 0) {
                EXPECT_TRUE(root) << "a leaf inside a leaf";
                ++a.leaf_count;
                walk(std::string_view(bytes).substr(h.leaf_offset + e.offset, e.length), false);
                continue;
            }
            EXPECT_EQ(e.offset, expected_offset);
            expected_offset = e.offset + e.length;
            for (std::uint32_t i = 0; i < e.run_length; ++i)
                a.tiles[e.tile_id + i] = bytes.substr(h.tile_data_offset + e.offset, e.length);
        }
    };
    walk(std::string_view(bytes).substr(h.root_offset, h.root_length), true);
    return a;
}

long long located_crimes(const std::string& from, const std::string& to, const std::string& categories_sql) {
    return sample().db.count(
        "SELECT count(*) FROM crimes WHERE geom IS NOT NULL AND month BETWEEN $1::date AND "
        "$2::date" +
            categories_sql,
        {from + "-01", to + "-01"});
}

}  // namespace

TEST(ExportTiles, PmtilesHoldsEveryCrimeOfTheFilterOncePerZoom) {
    auto& s = sample();
    const auto out = s.dir / "burglary.pmtiles";
    auto r = s.db.crimemap({"export", "tiles", out.string(), "--layers", "crimes,areas", "--maxzoom", "10",
                            "--from", "2018-11", "--to", "2019-01", "--category", "burglary,vehicle-crime",
                            "--threads", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("exported "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" tiles (z0-10, crimes,areas"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(out.string() + ".tmp"));

    const auto expected =
        located_crimes("2018-11", "2019-01", " AND category IN ('burglary', 'vehicle-crime')");
    ASSERT_GT(expected, 1000);

    auto a = read_pmtiles(out);
    EXPECT_TRUE(a.header.clustered);
    EXPECT_EQ(a.header.tile_type, pm::TileType::mvt);
    EXPECT_EQ(a.header.tile_compression, pm::Compression::gzip);
    EXPECT_EQ(a.header.min_zoom, 0);
    EXPECT_EQ(a.header.max_zoom, 10);
    EXPECT_EQ(a.header.addressed_tiles, a.tiles.size());

    std::map<int, long long> crimes_by_zoom;
    std::map<int, long long> area_features;
    for (const auto& [id, gz] : a.tiles) {
        const TileId t = pm::tile_from_id(id).value();
        auto layers = crimemap::testing::decode_tile(gunzip(gz));
        ASSERT_FALSE(layers.empty()) << "an empty tile was stored";
        if (layers.count("crimes"))
            for (const auto& f : layers.at("crimes").features) {
                crimes_by_zoom[t.z] += f.integer("count");
                // The filter is in the tiles: only the two categories' fields, summing to count.
                EXPECT_EQ(f.integer("burglary") + f.integer("vehicle-crime"), f.integer("count"));
                EXPECT_EQ(f.props.count("drugs"), 0u);
            }
        if (layers.count("areas"))
            area_features[t.z] += static_cast<long long>(layers.at("areas").features.size());
    }
    for (int z = 0; z <= 10; ++z) {
        EXPECT_EQ(crimes_by_zoom[z], expected) << "zoom " << z;
        EXPECT_GT(area_features[z], 0) << "zoom " << z;
    }

    // The metadata: TileJSON's vector_layers (core/layers), limited to the exported zooms, and the filter.
    auto layers = crimemap::core::parse_layer_set("crimes,areas").value();
    auto tilejson_layers = crimemap::core::vector_layers_json(layers);
    ASSERT_EQ(a.metadata["vector_layers"].size(), tilejson_layers.size());
    for (std::size_t i = 0; i < tilejson_layers.size(); ++i) {
        EXPECT_EQ(a.metadata["vector_layers"][i]["id"], tilejson_layers[i]["id"]);
        EXPECT_EQ(a.metadata["vector_layers"][i]["fields"], tilejson_layers[i]["fields"]);
        EXPECT_EQ(a.metadata["vector_layers"][i]["maxzoom"], 10);
    }
    EXPECT_EQ(a.metadata["crimemap"]["filter"]["from"], "2018-11");
    EXPECT_EQ(a.metadata["crimemap"]["filter"]["category"], nlohmann::json({"burglary", "vehicle-crime"}));
    EXPECT_NE(a.metadata["attribution"].get<std::string>().find("Open Government Licence"),
              std::string::npos);
}

TEST(ExportTiles, MbtilesIsReadByGdalAndFlipsRowsToTms) {
    auto& s = sample();
    const auto mbtiles = s.dir / "month.mbtiles", pmtiles = s.dir / "month.pmtiles";
    for (const auto& out : {mbtiles, pmtiles}) {
        auto r = s.db.crimemap({"export", "tiles", out.string(), "--layers", "crimes", "--minzoom", "6",
                                "--maxzoom", "8", "--from", "2019-02", "--to", "2019-02"});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
    }
    const auto expected = located_crimes("2019-02", "2019-02", "");

    // GDAL's MVT driver through its MBTiles driver, at z8: the sum of `count` over every tile.
    auto gdal = crimemap::test::run_program(
        "/usr/bin/ogrinfo", {"-ro", "-q", "-oo", "ZOOM_LEVEL=8", mbtiles.string(), "-dialect", "SQLite",
                             "-sql", "SELECT sum(count) AS total FROM crimes"});
    ASSERT_EQ(gdal.exit_code, 0) << gdal.describe();
    std::smatch m;
    ASSERT_TRUE(
        std::regex_search(gdal.out, m, std::regex(R"(total \((?:Real|Integer|Integer64)\) = ([0-9.]+))")))
        << gdal.out;
    EXPECT_EQ(std::stoll(m[1].str()), expected);

    auto info = crimemap::test::run_program("/usr/bin/ogrinfo", {"-ro", "-so", mbtiles.string()});
    ASSERT_EQ(info.exit_code, 0) << info.describe();
    EXPECT_NE(info.out.find("format=pbf"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("crimes"), std::string::npos) << info.out;

    // The same tiles as the PMTiles export, rows counted from the south (TMS).
    auto rows = crimemap::test::run_program(
        "/usr/bin/sqlite3",
        {mbtiles.string(), "SELECT zoom_level || '/' || tile_column || '/' || tile_row FROM tiles"});
    ASSERT_EQ(rows.exit_code, 0) << rows.describe();
    std::set<std::string> from_mbtiles, from_pmtiles;
    std::istringstream lines(rows.out);
    for (std::string line; std::getline(lines, line);) {
        int z = 0, x = 0, row = 0;
        ASSERT_EQ(std::sscanf(line.c_str(), "%d/%d/%d", &z, &x, &row), 3) << line;
        from_mbtiles.insert(std::to_string(z) + "/" + std::to_string(x) + "/" +
                            std::to_string((1 << z) - 1 - row));
    }
    for (const auto& [id, gz] : read_pmtiles(pmtiles).tiles) {
        auto t = pm::tile_from_id(id).value();
        from_pmtiles.insert(std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y));
    }
    EXPECT_FALSE(from_mbtiles.empty());
    EXPECT_EQ(from_mbtiles, from_pmtiles);

    auto meta = crimemap::test::run_program(
        "/usr/bin/sqlite3", {mbtiles.string(), "SELECT value FROM metadata WHERE name='json'"});
    auto json = nlohmann::json::parse(meta.out);
    EXPECT_EQ(json["vector_layers"][0]["id"], "crimes");
    EXPECT_EQ(json["vector_layers"][0]["minzoom"], 6);
}

TEST(ExportTiles, BboxKeepsOnlyTilesTouchingIt) {
    auto& s = sample();
    const auto out = s.dir / "hereford.pmtiles";
    // Hereford city: at z12 a handful of tiles, every one touching the box.
    auto r = s.db.crimemap({"export", "tiles", out.string(), "--minzoom", "12", "--maxzoom", "12", "--bbox",
                            "-2.75,52.04,-2.69,52.08"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto a = read_pmtiles(out);
    ASSERT_FALSE(a.tiles.empty());
    for (const auto& [id, gz] : a.tiles) {
        auto t = pm::tile_from_id(id).value();
        auto b = crimemap::geo::lonlat_bounds(t);
        EXPECT_TRUE(b.east >= -2.75 && b.west <= -2.69 && b.north >= 52.04 && b.south <= 52.08)
            << int(t.z) << "/" << t.x << "/" << t.y;
    }
    EXPECT_NEAR(a.header.min_lon, -2.75, 1e-6);
    EXPECT_NEAR(a.header.max_lat, 52.08, 1e-6);
}

TEST(ExportTiles, BadArgumentsAreClearErrors) {
    auto& s = sample();
    const auto out = (s.dir / "x.pmtiles").string();
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    const std::vector<Case> cases{
        {{"export", "tiles", (s.dir / "x.geojson").string()}, "must end in .pmtiles or .mbtiles"},
        {{"export", "tiles", out, "--maxzoom", "23"}, "--maxzoom must be a zoom 0..22"},
        {{"export", "tiles", out, "--minzoom", "9", "--maxzoom", "3"}, "--minzoom is above --maxzoom"},
        {{"export", "tiles", out, "--from", "2019-13"}, "from"},
        {{"export", "tiles", out, "--category", "pickpocketing"}, "category"},
        {{"export", "tiles", out, "--layers", "crimes,streets"}, "Unknown layer: streets"},
        {{"export", "tiles", out, "--bbox", "1,2,3"}, "--bbox"},
        {{"export", "tiles", out, "--bbox", "3,2,1,4"}, "--bbox"},
        {{"export", "tiles", out, "--threads", "0"}, "--threads"},
        {{"export", "maps", out}, "unknown export kind"},
        {{"export", "tiles"}, "one output file"},
    };
    for (const auto& c : cases) {
        auto r = s.db.crimemap(c.args);
        EXPECT_EQ(r.exit_code, 1) << c.message << ": " << r.describe();
        EXPECT_NE(r.err.find(c.message), std::string::npos) << r.describe();
    }
    EXPECT_FALSE(std::filesystem::exists(out));
    // A month without crimes for the filter: nothing to write, and no file left behind.
    auto empty =
        s.db.crimemap({"export", "tiles", out, "--layers", "crimes", "--from", "2010-01", "--to", "2010-01"});
    EXPECT_EQ(empty.exit_code, 1) << empty.describe();
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
    EXPECT_FALSE(std::filesystem::exists(out + ".tiles.tmp"));
}
