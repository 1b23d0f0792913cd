// `crimemap import boundaries` / `import neighbourhoods`: the sample's areas, repairs of invalid
// polygons, TopoJSON and KML input, field detection.
#include <gtest/gtest.h>

#include <cmath>

#include "support/test_db.hpp"

using crimemap::test::source_path;
using crimemap::test::TestDatabase;

TEST(ImportBoundaries, SampleAreasAreCompleteAndValid) {
    TestDatabase db;
    db.seed_sample();
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'lsoa'"), 781);  // PROVENANCE.md, 9 districts
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'ward'"), 257);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'lad'"), 9);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'pfa'"), 1);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'neighbourhood'"), 62);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE NOT ST_IsValid(geom) OR NOT ST_IsValid(geom_3857)"),
              0);
    EXPECT_EQ(
        db.count(
            "SELECT count(*) FROM areas WHERE GeometryType(geom) <> 'MULTIPOLYGON' OR ST_SRID(geom) <> 4326"
            " OR ST_SRID(geom_3857) <> 3857 OR ST_IsEmpty(geom)"),
        0);
    EXPECT_EQ(db.scalar("SELECT name FROM areas WHERE kind = 'lsoa' AND code = 'E01014010'"),
              "Herefordshire 012C");
    EXPECT_EQ(db.scalar("SELECT name FROM areas WHERE kind = 'pfa' AND code = 'E23000016'"), "West Mercia");
    EXPECT_EQ(db.scalar("SELECT name FROM areas WHERE kind = 'lad' AND code = 'E06000020'"),
              "Telford and Wrekin");
    // Within the generalised force boundary: every district, nearly all of their LSOAs.
    EXPECT_EQ(db.count("SELECT count(*) FROM areas a, areas p WHERE p.kind = 'pfa' AND a.kind = 'lad'"
                       " AND ST_Intersects(p.geom, ST_PointOnSurface(a.geom))"),
              9);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'lsoa' AND parent_codes->>'lad' IS NULL"), 0);
    EXPECT_EQ(db.scalar("SELECT parent_codes->>'lad' FROM areas WHERE kind = 'lsoa' AND code = 'E01014010'"),
              "E06000019");
    EXPECT_EQ(db.scalar("SELECT parent_codes->>'pfa' FROM areas WHERE kind = 'ward' AND code = 'E05001842'"),
              "E23000016");
    // Demo neighbourhoods: derived from the wards and labelled so.
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE derived"), 62);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'neighbourhood' AND derived"
                       " AND name LIKE '% (derived from 2013 wards)' AND code LIKE 'west-mercia/%'"),
              62);
    EXPECT_EQ(db.count("SELECT count(*) FROM neighbourhoods WHERE demo AND force_id = 'west-mercia'"), 62);
    EXPECT_EQ(
        db.count("SELECT count(*) FROM neighbourhoods n JOIN areas a ON a.kind = 'neighbourhood'"
                 " AND a.code = n.force_id || '/' || n.id AND a.name = n.name"
                 " AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(n.centre_lon, n.centre_lat), 4326))"),
        62);
    // Each ward is in exactly one demo neighbourhood of its own district.
    EXPECT_EQ(
        db.count("SELECT count(*) FROM areas w WHERE w.kind = 'ward' AND (SELECT count(*) FROM areas n"
                 " WHERE n.kind = 'neighbourhood' AND ST_Contains(n.geom, ST_PointOnSurface(w.geom))) <> 1"),
        0);
}

TEST(ImportBoundaries, InvalidPolygonsAreRepairedAndCounted) {
    TestDatabase db;
    auto r = db.crimemap(
        {"import", "boundaries", "--kind", "msoa", source_path("tests/fixtures/boundary_bowtie.geojson")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(
        r.out.find(
            "4 features, 2 loaded, 1 repaired (invalid -> made valid), 1 without a code, 1 not polygons"),
        std::string::npos)
        << r.out;
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'msoa'"), 2);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE NOT ST_IsValid(geom)"), 0);
    // The bow tie becomes its two triangles (each 0.005 square degrees).
    EXPECT_EQ(db.count("SELECT ST_NumGeometries(geom) FROM areas WHERE code = 'X00000002'"), 2);
    EXPECT_NEAR(std::stod(db.scalar("SELECT ST_Area(geom) FROM areas WHERE code = 'X00000002'")), 0.005,
                1e-9);
    EXPECT_EQ(db.scalar("SELECT name FROM areas WHERE code = 'X00000001'"), "Valid square");
    // Importing again updates in place.
    auto again = db.crimemap(
        {"import", "boundaries", "--kind", "msoa", source_path("tests/fixtures/boundary_bowtie.geojson")});
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_EQ(db.count("SELECT count(*) FROM areas"), 2);
}

TEST(ImportBoundaries, TopoJsonWithExplicitFields) {
    TestDatabase db;
    auto r = db.crimemap({"import", "boundaries", "--kind", "ward", "--code-field", "WD13CD", "--name-field",
                          "WD13NM", source_path("tests/fixtures/boundary_two_wards.topojson")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'ward'"), 2);
    EXPECT_EQ(db.scalar("SELECT name FROM areas WHERE code = 'T00000002'"), "East ward");
    // The two wards share an edge (TopoJSON arc 0) and do not overlap.
    EXPECT_EQ(db.scalar("SELECT ST_Touches(a.geom, b.geom) FROM areas a, areas b WHERE a.code = 'T00000001' "
                        "AND b.code = 'T00000002'"),
              "t");
    EXPECT_NEAR(std::stod(db.scalar("SELECT sum(ST_Area(geom)) FROM areas")), 0.02, 1e-9);
    auto missing = db.crimemap({"import", "boundaries", "--kind", "ward", "--code-field", "NOPE",
                                source_path("tests/fixtures/boundary_two_wards.topojson")});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("has no field 'NOPE'"), std::string::npos) << missing.err;
}

TEST(ImportBoundaries, BritishNationalGridIsReprojected) {
    TestDatabase db;
    auto r = db.crimemap(
        {"import", "boundaries", "--kind", "lad", source_path("tests/fixtures/boundary_bng_27700.geojson")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto c = db.connect();
    // The 1 km square is centred on HR1 1AA's grid reference (351418, 240501): 52.060745, -2.710027.
    auto g = c.query(
        "SELECT ST_Y(ST_Centroid(geom)), ST_X(ST_Centroid(geom)), ST_Area(geom::geography),"
        " ST_Area(geom_3857) FROM areas WHERE code = 'Z00000001'");
    ASSERT_EQ(g.size(), 1);
    EXPECT_NEAR(g.float64(0, 0), 52.060745, 2e-4);
    EXPECT_NEAR(g.float64(0, 1), -2.710027, 2e-4);
    EXPECT_NEAR(g.float64(0, 2), 1e6, 1e4);  // one square kilometre on the ground
    EXPECT_NEAR(g.float64(0, 3), 1e6 / std::pow(std::cos(52.06 * M_PI / 180), 2), 3e4);  // Mercator scale
}

TEST(ImportBoundaries, UndetectableCodeFieldAsksForOne) {
    TestDatabase db;
    auto r = db.crimemap({"import", "boundaries", "--kind", "lsoa",
                          source_path("tests/fixtures/neighbourhoods/west-mercia/TEST1.kml")});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("use --code-field"), std::string::npos) << r.err;
    auto bad_kind = db.crimemap(
        {"import", "boundaries", "--kind", "county", source_path("tests/fixtures/boundary_bowtie.geojson")});
    EXPECT_EQ(bad_kind.exit_code, 1);
    EXPECT_NE(bad_kind.err.find("unknown --kind 'county'"), std::string::npos) << bad_kind.err;
}

TEST(ImportBoundaries, PoliceUkStyleNeighbourhoodKmlAndTeam) {
    TestDatabase db;
    auto r = db.crimemap({"import", "neighbourhoods", source_path("tests/fixtures/neighbourhoods")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(db.scalar("SELECT name FROM areas WHERE kind = 'neighbourhood' AND code = 'west-mercia/TEST1'"),
              "Hereford Test Team");
    EXPECT_EQ(db.scalar("SELECT derived FROM areas WHERE code = 'west-mercia/TEST1'"), "f");
    EXPECT_NEAR(std::stod(db.scalar("SELECT ST_Area(geom) FROM areas WHERE code = 'west-mercia/TEST1'")),
                0.04 * 0.02, 1e-9);
    EXPECT_EQ(db.scalar("SELECT population FROM neighbourhoods WHERE id = 'TEST1'"), "12345");
    EXPECT_EQ(db.scalar("SELECT contact_details->>'email' FROM neighbourhoods WHERE id = 'TEST1'"),
              "test@example.invalid");
    EXPECT_EQ(db.scalar("SELECT centre_lat FROM neighbourhoods WHERE id = 'TEST1'"), "52.06");
    EXPECT_EQ(db.scalar("SELECT demo FROM neighbourhoods WHERE id = 'TEST1'"), "f");
    EXPECT_EQ(
        db.scalar("SELECT name || '/' || rank FROM neighbourhood_people WHERE neighbourhood_id = 'TEST1'"),
        "PC Example/Police Constable");
    auto again = db.crimemap({"import", "neighbourhoods", source_path("tests/fixtures/neighbourhoods")});
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_EQ(db.count("SELECT count(*) FROM neighbourhood_people"), 1);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas"), 1);
}
