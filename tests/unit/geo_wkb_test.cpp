#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "geo/wkb.hpp"

namespace {

using namespace crimemap::geo;

// POLYGON((0 0, 2 0, 2 1, 0 1, 0 0)), written out by hand: byte order, type, ring count, point
// count, then one x y pair per line.
// clang-format off
const std::string kPolygonNdr =  // little endian
    "01" "03000000" "01000000" "05000000"
    "0000000000000000" "0000000000000000"
    "0000000000000040" "0000000000000000"
    "0000000000000040" "000000000000F03F"
    "0000000000000000" "000000000000F03F"
    "0000000000000000" "0000000000000000";
const std::string kPolygonXdr =  // big endian
    "00" "00000003" "00000001" "00000005"
    "0000000000000000" "0000000000000000"
    "4000000000000000" "0000000000000000"
    "4000000000000000" "3FF0000000000000"
    "0000000000000000" "3FF0000000000000"
    "0000000000000000" "0000000000000000";
// clang-format on

const LonLatRing kSquare{{0, 0}, {2, 0}, {2, 1}, {0, 1}, {0, 0}};

std::string bytes(const std::string& hex) { return hex_decode(hex).value(); }

TEST(GeoWkb, HexDecode) {
    EXPECT_EQ(hex_decode("00ff7Fa0"), std::string("\x00\xff\x7f\xa0", 4));
    EXPECT_EQ(hex_decode("\\x0102"), std::string("\x01\x02", 2));
    EXPECT_EQ(hex_decode(""), std::string());
    EXPECT_FALSE(hex_decode("abc"));
    EXPECT_FALSE(hex_decode("zz"));
    EXPECT_FALSE(hex_decode("0g"));
}

TEST(GeoWkb, PolygonLittleEndian) {
    const WkbResult r = parse_hex_wkb(kPolygonNdr);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.geometry->type, WkbType::polygon);
    EXPECT_FALSE(r.geometry->srid);
    ASSERT_EQ(r.geometry->polygons.size(), 1U);
    ASSERT_EQ(r.geometry->polygons[0].size(), 1U);
    EXPECT_EQ(r.geometry->polygons[0][0], kSquare);
}

TEST(GeoWkb, PolygonBigEndian) {
    const WkbResult r = parse_hex_wkb(kPolygonXdr);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.geometry->type, WkbType::polygon);
    ASSERT_EQ(r.geometry->polygons.size(), 1U);
    EXPECT_EQ(r.geometry->polygons[0][0], kSquare);
}

TEST(GeoWkb, PolygonWithHole) {
    // POLYGON((0 0,2 0,2 1,0 1,0 0),(1 0,2 0,2 1,1 0)) big endian: two rings.
    // clang-format off
    const std::string hex =
        "00" "00000003" "00000002"
        "00000005"
        "0000000000000000" "0000000000000000"
        "4000000000000000" "0000000000000000"
        "4000000000000000" "3FF0000000000000"
        "0000000000000000" "3FF0000000000000"
        "0000000000000000" "0000000000000000"
        "00000004"
        "3FF0000000000000" "0000000000000000"
        "4000000000000000" "0000000000000000"
        "4000000000000000" "3FF0000000000000"
        "3FF0000000000000" "0000000000000000";
    // clang-format on
    const WkbResult r = parse_hex_wkb(hex);
    ASSERT_TRUE(r) << r.error;
    ASSERT_EQ(r.geometry->polygons[0].size(), 2U);
    EXPECT_EQ(r.geometry->polygons[0][1].size(), 4U);
    EXPECT_EQ(r.geometry->polygons[0][1][2], (LonLat{2, 1}));
}

TEST(GeoWkb, EwkbPointWithSrid) {
    // SRID=4326;POINT(-2.5 52), as ST_AsEWKB writes it (little endian, SRID flag 0x20000000).
    const WkbResult r = parse_hex_wkb(
        "01"
        "01000020"
        "E6100000"
        "00000000000004C0"
        "0000000000004A40");
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.geometry->type, WkbType::point);
    EXPECT_EQ(r.geometry->srid, 4326U);
    ASSERT_EQ(r.geometry->points.size(), 1U);
    EXPECT_EQ(r.geometry->points[0], (LonLat{-2.5, 52.0}));
    // Same point, big endian, plain WKB.
    const WkbResult b = parse_hex_wkb(
        "00"
        "00000001"
        "C004000000000000"
        "404A000000000000");
    ASSERT_TRUE(b) << b.error;
    EXPECT_EQ(b.geometry->points[0], (LonLat{-2.5, 52.0}));
}

TEST(GeoWkb, PointEmpty) {
    const WkbResult r = parse_hex_wkb(
        "01"
        "01000000"
        "000000000000F87F"
        "000000000000F87F");
    ASSERT_TRUE(r) << r.error;
    EXPECT_TRUE(r.geometry->points.empty());
}

TEST(GeoWkb, ZAndMOrdinatesAreDropped) {
    // EWKB POINT Z (-2.5 52 7) and ISO POINT ZM (-2.5 52 7 7).
    const WkbResult z = parse_hex_wkb(
        "01"
        "01000080"
        "00000000000004C0"
        "0000000000004A40"
        "0000000000001C40");
    ASSERT_TRUE(z) << z.error;
    EXPECT_EQ(z.geometry->points[0], (LonLat{-2.5, 52.0}));
    const WkbResult zm = parse_hex_wkb(
        "01"
        "B90B0000"
        "00000000000004C0"
        "0000000000004A40"
        "0000000000001C40"
        "0000000000001C40");
    ASSERT_TRUE(zm) << zm.error;
    EXPECT_EQ(zm.geometry->points[0], (LonLat{-2.5, 52.0}));
}

TEST(GeoWkb, EwkbMultiPolygonWithMixedByteOrders) {
    // SRID=4326;MULTIPOLYGON(square, square): outer little endian, first member big, second little.
    const std::string hex =
        "01"
        "06000020"
        "E6100000"
        "02000000" +
        kPolygonXdr + kPolygonNdr;
    const WkbResult r = parse_hex_wkb(hex);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.geometry->type, WkbType::multi_polygon);
    EXPECT_EQ(r.geometry->srid, 4326U);
    ASSERT_EQ(r.geometry->polygons.size(), 2U);
    EXPECT_EQ(r.geometry->polygons[0][0], kSquare);
    EXPECT_EQ(r.geometry->polygons[1][0], kSquare);
    // A member of the wrong type is an error.
    const std::string point =
        "01"
        "01000000"
        "00000000000004C0"
        "0000000000004A40";
    EXPECT_FALSE(
        parse_hex_wkb("01"
                      "06000000"
                      "01000000" +
                      point));
}

TEST(GeoWkb, MultiPoint) {
    const std::string point =
        "01"
        "01000000"
        "00000000000004C0"
        "0000000000004A40";
    const WkbResult r = parse_hex_wkb(
        "00"
        "00000004"
        "00000002" +
        point + point);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.geometry->type, WkbType::multi_point);
    EXPECT_EQ(r.geometry->points.size(), 2U);
}

TEST(GeoWkb, TruncatedInputIsAnError) {
    const std::string full = bytes(kPolygonNdr);
    for (std::size_t n = 0; n < full.size(); ++n) {
        const WkbResult r = parse_wkb(std::string_view(full).substr(0, n));
        EXPECT_FALSE(r) << "prefix " << n;
        EXPECT_FALSE(r.error.empty());
    }
    EXPECT_NE(parse_wkb(full.substr(0, 7)).error.find("truncated"), std::string::npos);
    EXPECT_NE(parse_wkb(full.substr(0, 20)).error.find("exceeds the remaining input"), std::string::npos);
}

TEST(GeoWkb, MalformedInputIsAnError) {
    EXPECT_FALSE(parse_hex_wkb(kPolygonNdr + "00"));            // trailing byte
    EXPECT_FALSE(parse_hex_wkb("02" + kPolygonNdr.substr(2)));  // bad byte order
    EXPECT_FALSE(
        parse_hex_wkb("01"
                      "02000000"
                      "00000000"));  // LineString unsupported
    EXPECT_FALSE(parse_hex_wkb("not hex"));
    // Absurd counts are rejected before allocating.
    const WkbResult rings = parse_hex_wkb(
        "01"
        "03000000"
        "FFFFFFFF"
        "05000000");
    EXPECT_FALSE(rings);
    EXPECT_NE(rings.error.find("count"), std::string::npos);
    EXPECT_FALSE(
        parse_hex_wkb("01"
                      "03000000"
                      "01000000"
                      "FFFFFF7F"
                      "0000000000000000"));
    EXPECT_FALSE(
        parse_hex_wkb("01"
                      "06000000"
                      "FFFFFFFF"));
    // Infinite coordinates in a polygon.
    std::string inf = kPolygonNdr;
    inf.replace(26, 16, "000000000000F07F");
    EXPECT_FALSE(parse_hex_wkb(inf));
}

// Hostile input (issue 13): the reader never recurses. Collections cannot nest (GeometryCollection
// is refused at its header, a Multi* member must be the simple type), so 100,000 nested levels
// cost one header read; every count is checked against the bytes left before anything is reserved.
TEST(GeoWkb, NestedCollectionsAreRefusedAtTheFirstHeader) {
    std::string nested;
    for (int i = 0; i < 100000; ++i)
        nested += bytes(
            "01"
            "07000000"
            "01000000");
    const WkbResult gc = parse_wkb(nested);
    ASSERT_FALSE(gc);
    EXPECT_NE(gc.error.find("unsupported geometry type 7 at byte 5"), std::string::npos) << gc.error;
    // MULTIPOLYGON(MULTIPOLYGON(...)): a member must be a polygon.
    const WkbResult mm = parse_hex_wkb(
        "01"
        "06000000"
        "01000000"
        "01"
        "06000000"
        "01000000" +
        kPolygonNdr);
    ASSERT_FALSE(mm);
    EXPECT_NE(mm.error.find("member of type 6 where 3 was expected"), std::string::npos) << mm.error;
    // MULTIPOINT of polygons.
    EXPECT_FALSE(
        parse_hex_wkb("01"
                      "04000000"
                      "01000000" +
                      kPolygonNdr));
}

TEST(GeoWkb, CountsAreBoundedByTheBytesLeft) {
    // A polygon of N empty rings needs 4 bytes per ring: N rings read, N + 1 declared is refused.
    auto empty_rings = [](std::uint32_t declared, std::uint32_t present) {
        std::string s = bytes(
            "01"
            "03000000");
        for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((declared >> (8 * i)) & 0xFF));
        for (std::uint32_t i = 0; i < present; ++i) s += std::string(4, '\0');
        return s;
    };
    const WkbResult ok = parse_wkb(empty_rings(1000, 1000));
    ASSERT_TRUE(ok) << ok.error;
    EXPECT_EQ(ok.geometry->polygons[0].size(), 1000U);
    const WkbResult over = parse_wkb(empty_rings(1001, 1000));
    ASSERT_FALSE(over);
    EXPECT_NE(over.error.find("ring count 1001 exceeds the remaining input"), std::string::npos)
        << over.error;
    // Inside a member: a multipolygon of one polygon claiming 2^32 - 1 rings, and one claiming 2^31 points.
    EXPECT_NE(parse_hex_wkb("01"
                            "06000000"
                            "01000000"
                            "01"
                            "03000000"
                            "FFFFFFFF")
                  .error.find("ring count 4294967295"),
              std::string::npos);
    EXPECT_NE(parse_hex_wkb("01"
                            "06000000"
                            "01000000"
                            "01"
                            "03000000"
                            "01000000"
                            "00000080")
                  .error.find("point count"),
              std::string::npos);
    // Z and M ordinates make each point 32 bytes: the count check uses the real size.
    const WkbResult zm = parse_hex_wkb(
        "01"
        "030000C0"
        "01000000"
        "02000000" +
        std::string(2 * 16 * 2 + 16, '0'));
    ASSERT_FALSE(zm);
    EXPECT_NE(zm.error.find("point count 2 exceeds the remaining input"), std::string::npos) << zm.error;
}

TEST(GeoWkb, RandomMutationsNeverCrash) {
    const std::string base = bytes(
        "01"
        "06000020"
        "E6100000"
        "02000000" +
        kPolygonXdr + kPolygonNdr);
    std::mt19937_64 rng(99);
    std::uniform_int_distribution<std::size_t> pos(0, base.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    int ok = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string s = base;
        const int flips = 1 + i % 4;
        for (int f = 0; f < flips; ++f) s[pos(rng)] = static_cast<char>(byte(rng));
        if (i % 3 == 0) s.resize(pos(rng));
        const WkbResult r = parse_wkb(s);
        EXPECT_NE(static_cast<bool>(r), !r.error.empty());
        ok += r ? 1 : 0;
    }
    EXPECT_GT(ok, 0);  // some mutations only touch coordinates
    std::string garbage(4096, '\0');
    for (char& c : garbage) c = static_cast<char>(byte(rng));
    for (std::size_t n = 0; n < garbage.size(); n += 7)
        (void)parse_wkb(std::string_view(garbage).substr(0, n));
}

}  // namespace
