// Populations (`crimemap import population`, `import boundaries --population-field`) and the rates
// per 1,000 residents they unlock in the snapshot; boundaries from Shapefile and GeoPackage made at
// test time with the GDAL API. The populations here are synthetic, on a sample whose own (real ONS)
// populations are cleared first; tests/integration/area_statistics_test.cpp checks the real ones.
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/snapshot.hpp"
#include "core/tile_engine.hpp"
#include "core/tile_query.hpp"
#include "geo/tile.hpp"
#include "store/snapshot_loader.hpp"
#include "support/mvt_decode.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using crimemap::test::source_path;
using crimemap::test::TestDatabase;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("cm_population_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// The areas layer's features (kind lsoa, every month) in the z12 tile around a point.
std::map<std::string, crimemap::testing::DecodedFeature> lsoa_tile(const core::Snapshot& s,
                                                                   geo::LonLat where) {
    auto t = geo::tile_containing(geo::to_world(where), 12);
    auto q = core::parse_tile_query(
        "areas", "12", std::to_string(t.x), std::to_string(t.y),
        {{"kind", "lsoa"}, {"from", s.first_month.str()}, {"to", s.last_month.str()}}, s);
    if (!q) throw std::runtime_error(q.error().detail);
    auto tile = core::make_memory_renderer()->render(s, *q);
    if (!tile) throw std::runtime_error(tile.error().detail);
    std::map<std::string, crimemap::testing::DecodedFeature> out;
    auto layers = crimemap::testing::decode_tile(tile->mvt);  // kept alive: the loop reads into it
    for (const auto& f : layers.at("areas").features) out[f.text("code")] = f;
    return out;
}

void gdal_once() {
    static bool done = [] {
        GDALAllRegister();
        return true;
    }();
    (void)done;
}

}  // namespace

TEST(ImportPopulation, CsvSetsPopulationsAndReportsUnknownCodes) {
    TestDatabase db;
    db.seed_sample();
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE population IS NULL AND kind <> 'msoa'"), 0);
    // Synthetic populations only: forget the sample's, and its LSOA file, so refresh derives none.
    db.connect().exec(
        "UPDATE areas SET population = NULL, population_method = NULL, population_source = NULL,"
        " population_period = NULL, population_lsoas = NULL");
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE population IS NOT NULL"), 0);
    fs::path dir = temp_dir("csv");
    fs::path csv = dir / "population.csv";
    {
        // Header by name, in another order, with an extra column; synthetic values.
        std::ofstream out(csv, std::ios::binary);
        out << "kind,note,population,area_code\r\n"
               "lsoa,x,1500,E01014010\r\n"
               ",x,\"2,000\",E01014011\r\n"  // no kind: every area with the code
               "lad,x,190000,E06000019\r\n"
               "lsoa,x,1000,E06000019\r\n"   // kind and code disagree: unknown
               "lsoa,x,1234,E01999999\r\n"   // no such area
               "lsoa,x,many,E01014012\r\n"   // unreadable
               "county,x,5,E01014013\r\n"    // unknown kind
               "lsoa,x,1600,E01014010\r\n";  // a repeated code: the last row wins
    }
    auto r = db.crimemap({"import", "population", csv.string()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("8 rows, 3 areas given a population (3 changed), 2 unknown codes, 2 bad rows"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.err.find(csv.string() + ":6: unknown area code E01999999 (kind lsoa)"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(csv.string() + ":5: unknown area code E06000019 (kind lsoa)"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(":7: unreadable population 'many' for E01014012"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(":8: unknown kind 'county' for E01014013"), std::string::npos) << r.err;
    EXPECT_EQ(db.scalar("SELECT population FROM areas WHERE kind = 'lsoa' AND code = 'E01014010'"), "1600");
    EXPECT_EQ(db.scalar("SELECT population FROM areas WHERE kind = 'lsoa' AND code = 'E01014011'"), "2000");
    EXPECT_EQ(db.scalar("SELECT population FROM areas WHERE kind = 'lad' AND code = 'E06000019'"), "190000");
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE population IS NOT NULL"), 3);

    // Idempotent: the same file again changes nothing.
    auto again = db.crimemap({"import", "population", csv.string()});
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_NE(again.out.find("3 areas given a population (0 changed)"), std::string::npos) << again.out;
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE population IS NOT NULL"), 3);
    // Re-importing the boundaries (no population field) keeps the populations.
    auto lsoas = db.crimemap({"import", "boundaries", "--kind", "lsoa",
                              source_path("data/sample/boundaries/lsoa/E06000019.geojson")});
    ASSERT_EQ(lsoas.exit_code, 0) << lsoas.describe();
    EXPECT_EQ(db.scalar("SELECT population FROM areas WHERE kind = 'lsoa' AND code = 'E01014010'"), "1600");

    // A missing column is a clear error.
    fs::path bad = dir / "bad.csv";
    std::ofstream(bad) << "code,residents\nE01014010,5\n";
    auto wrong = db.crimemap({"import", "population", bad.string()});
    EXPECT_EQ(wrong.exit_code, 1);
    EXPECT_NE(wrong.err.find("expected the columns area_code,population[,kind]"), std::string::npos)
        << wrong.err;

    // Published by refresh: the snapshot has them, and the areas layer gives rates per 1,000.
    auto refresh = db.crimemap({"refresh"});
    ASSERT_EQ(refresh.exit_code, 0) << refresh.describe();
    auto conn = db.connect();
    auto s = store::load_snapshot(conn);
    const auto* lsoa = s->find_area(core::AreaKind::lsoa, "E01014010");
    ASSERT_NE(lsoa, nullptr);
    EXPECT_EQ(lsoa->population.value_or(-1), 1600);
    EXPECT_EQ(s->find_area(core::AreaKind::lad, "E06000019")->population.value_or(-1), 190000);
    EXPECT_FALSE(s->find_area(core::AreaKind::lsoa, "E01014012")->population.has_value());
    long long crimes = db.count(
        "SELECT sum(crimes) FROM crime_monthly WHERE area_kind = 'lsoa' AND area_code = 'E01014010'");
    ASSERT_GT(crimes, 0);
    auto tile = lsoa_tile(*s, {-2.710027, 52.060745});  // HR1 1AA, in E01014010
    ASSERT_TRUE(tile.count("E01014010"));
    const auto& f = tile.at("E01014010");
    EXPECT_EQ(f.integer("crimes"), crimes);
    EXPECT_EQ(f.integer("population"), 1600);
    ASSERT_TRUE(f.props.count("per_1000"));
    EXPECT_DOUBLE_EQ(std::get<double>(f.props.at("per_1000")),
                     std::round(static_cast<double>(crimes) * 1000.0 / 1600 * 100) / 100);
    for (const auto& [code, other] : tile) {
        if (code != "E01014010" && code != "E01014011") {
            EXPECT_EQ(other.props.count("per_1000"), 0u) << code;
        }
    }
    fs::remove_all(dir);
}

TEST(ImportPopulation, GeoPackageWithPopulationField) {
    gdal_once();
    TestDatabase db;
    fs::path dir = temp_dir("gpkg");
    fs::path gpkg = dir / "wards.gpkg";
    {
        // Two 1 km squares in British National Grid (EPSG:27700) next to HR1 1AA, with populations
        // as an integer field (and one feature without a value).
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
        ASSERT_NE(driver, nullptr);
        GDALDataset* ds = driver->Create(gpkg.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
        ASSERT_NE(ds, nullptr);
        OGRSpatialReference bng;
        bng.importFromEPSG(27700);
        OGRLayer* layer = ds->CreateLayer("wards", &bng, wkbPolygon, nullptr);
        ASSERT_NE(layer, nullptr);
        OGRFieldDefn code("WD13CD", OFTString), name("WD13NM", OFTString), pop("POP", OFTInteger);
        ASSERT_EQ(layer->CreateField(&code), OGRERR_NONE);
        ASSERT_EQ(layer->CreateField(&name), OGRERR_NONE);
        ASSERT_EQ(layer->CreateField(&pop), OGRERR_NONE);
        struct Row {
            const char* code;
            const char* name;
            int population;  // < 0: not set
            double e, n;
        };
        for (const Row& row : {Row{"G00000001", "West square", 4200, 350900, 240000},
                               Row{"G00000002", "East square", -1, 351900, 240000}}) {
            OGRFeature* f = OGRFeature::CreateFeature(layer->GetLayerDefn());
            f->SetField("WD13CD", row.code);
            f->SetField("WD13NM", row.name);
            if (row.population >= 0) f->SetField("POP", row.population);
            OGRLinearRing ring;
            ring.addPoint(row.e, row.n);
            ring.addPoint(row.e + 1000, row.n);
            ring.addPoint(row.e + 1000, row.n + 1000);
            ring.addPoint(row.e, row.n + 1000);
            ring.closeRings();
            OGRPolygon polygon;
            polygon.addRing(&ring);
            f->SetGeometry(&polygon);
            ASSERT_EQ(layer->CreateFeature(f), OGRERR_NONE);
            OGRFeature::DestroyFeature(f);
        }
        GDALClose(ds);
    }
    auto r =
        db.crimemap({"import", "boundaries", "--kind", "ward", "--population-field", "pop", gpkg.string()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("2 features, 2 loaded, 1 without a readable population"), std::string::npos)
        << r.out;
    EXPECT_EQ(
        db.scalar("SELECT name || ' ' || population FROM areas WHERE kind = 'ward' AND code = 'G00000001'"),
        "West square 4200");
    EXPECT_EQ(db.scalar("SELECT population FROM areas WHERE code = 'G00000002'"), "");
    // Reprojected from the grid: the west square's south-west corner is about 518 m west and 501 m
    // south of HR1 1AA (351418, 240501 = 52.060745 N, 2.710027 W).
    auto c = db.connect();
    auto g = c.query(
        "SELECT ST_XMin(geom), ST_YMin(geom), ST_Area(geom::geography) FROM areas WHERE code = 'G00000001'");
    ASSERT_EQ(g.size(), 1);
    EXPECT_NEAR(g.float64(0, 0), -2.7176, 0.001);
    EXPECT_NEAR(g.float64(0, 1), 52.0562, 0.001);
    EXPECT_NEAR(g.float64(0, 2), 1e6, 1e4);
    // The population file may set the other one; the boundary import again keeps it.
    fs::path csv = dir / "pop.csv";
    std::ofstream(csv) << "area_code,population\nG00000002,3100\n";
    ASSERT_EQ(db.crimemap({"import", "population", csv.string()}).exit_code, 0);
    ASSERT_EQ(
        db.crimemap({"import", "boundaries", "--kind", "ward", "--population-field", "POP", gpkg.string()})
            .exit_code,
        0);
    EXPECT_EQ(db.scalar("SELECT population FROM areas WHERE code = 'G00000002'"), "3100");
    EXPECT_EQ(db.count("SELECT count(*) FROM areas"), 2);
    // A population field that is not there is an error naming it.
    auto missing = db.crimemap(
        {"import", "boundaries", "--kind", "ward", "--population-field", "RESIDENTS", gpkg.string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("has no field 'RESIDENTS'"), std::string::npos) << missing.err;
    fs::remove_all(dir);
}

TEST(ImportPopulation, ShapefileIsReprojectedAndLoaded) {
    gdal_once();
    TestDatabase db;
    fs::path dir = temp_dir("shp");
    fs::path shp = dir / "square.shp";
    {
        // The British National Grid GeoJSON fixture as a Shapefile (.shp, .shx, .dbf, .prj).
        GDALDatasetH src = GDALOpenEx(source_path("tests/fixtures/boundary_bng_27700.geojson").c_str(),
                                      GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
        ASSERT_NE(src, nullptr);
        char* argv[] = {const_cast<char*>("-f"), const_cast<char*>("ESRI Shapefile"), nullptr};
        GDALVectorTranslateOptions* options = GDALVectorTranslateOptionsNew(argv, nullptr);
        int failed = 0;
        GDALDatasetH out = GDALVectorTranslate(shp.c_str(), nullptr, 1, &src, options, &failed);
        GDALVectorTranslateOptionsFree(options);
        ASSERT_NE(out, nullptr);
        ASSERT_EQ(failed, 0);
        GDALClose(out);
        GDALClose(src);
    }
    ASSERT_TRUE(fs::exists(dir / "square.prj"));
    auto r = db.crimemap(
        {"import", "boundaries", "--kind", "lad", dir.string()});  // found by extension in the folder
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("square.shp: 1 features, 1 loaded"), std::string::npos) << r.out;
    auto c = db.connect();
    auto g = c.query(
        "SELECT ST_Y(ST_Centroid(geom)), ST_X(ST_Centroid(geom)), ST_Area(geom::geography), "
        "GeometryType(geom)"
        " FROM areas WHERE kind = 'lad' AND code = 'Z00000001'");
    ASSERT_EQ(g.size(), 1);
    EXPECT_NEAR(g.float64(0, 0), 52.060745, 2e-4);  // HR1 1AA, as for the GeoJSON
    EXPECT_NEAR(g.float64(0, 1), -2.710027, 2e-4);
    EXPECT_NEAR(g.float64(0, 2), 1e6, 1e4);
    EXPECT_EQ(g.text(0, 3), "MULTIPOLYGON");
    fs::remove_all(dir);
}
