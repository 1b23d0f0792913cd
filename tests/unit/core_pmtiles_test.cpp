// PMTiles v3 writer (core/pmtiles_writer): tile ids against the spec's table, directory and
// header round trips, leaf directories when the root would pass 16 KiB, and a whole archive read
// back by following its own offsets. The npm `pmtiles` reader checks exported archives too
// (tests/node/pmtiles_export.test.mjs).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "core/gzip.hpp"
#include "core/pmtiles_writer.hpp"

namespace pm = crimemap::core::pmtiles;
using crimemap::geo::TileId;

namespace {
std::string identity(std::string_view s) { return std::string(s); }
std::string gzip(std::string_view s) { return crimemap::core::gzip_compress(s, 6); }
std::string gunzip(std::string_view s) { return crimemap::core::gzip_decompress(s).value(); }
}  // namespace

TEST(Pmtiles, TileIdsMatchTheSpecTable) {
    EXPECT_EQ(pm::tile_id({0, 0, 0}), 0u);
    EXPECT_EQ(pm::tile_id({1, 0, 0}), 1u);
    EXPECT_EQ(pm::tile_id({1, 0, 1}), 2u);
    EXPECT_EQ(pm::tile_id({1, 1, 1}), 3u);
    EXPECT_EQ(pm::tile_id({1, 1, 0}), 4u);
    EXPECT_EQ(pm::tile_id({2, 0, 0}), 5u);
    EXPECT_EQ(pm::tile_id({12, 3423, 1763}), 19078479u);
}

TEST(Pmtiles, TileIdsAreABijectionPerZoom) {
    for (std::uint8_t z = 0; z <= 6; ++z) {
        std::set<std::uint64_t> seen;
        const std::uint32_t n = 1u << z;
        for (std::uint32_t x = 0; x < n; ++x)
            for (std::uint32_t y = 0; y < n; ++y) {
                const auto id = pm::tile_id({z, x, y});
                seen.insert(id);
                auto back = pm::tile_from_id(id);
                ASSERT_TRUE(back);
                EXPECT_EQ(*back, (TileId{z, x, y}));
            }
        // Zoom z fills exactly [(4^z - 1) / 3, (4^(z+1) - 1) / 3).
        EXPECT_EQ(seen.size(), std::size_t{n} * n);
        EXPECT_EQ(*seen.begin(), ((1ull << (2 * z)) - 1) / 3);
        EXPECT_EQ(*seen.rbegin(), ((1ull << (2 * (z + 1))) - 1) / 3 - 1);
    }
    // Deep zooms, both ways.
    for (TileId t :
         {TileId{20, 524287, 348000}, TileId{26, 0, (1u << 26) - 1}, TileId{31, (1u << 31) - 1, 5}}) {
        auto back = pm::tile_from_id(pm::tile_id(t));
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, t);
    }
}

TEST(Pmtiles, DirectoryRoundTripsWithRunsAndGaps) {
    std::vector<pm::Entry> entries{
        {5, 0, 42, 1}, {6, 42, 10, 3}, {9, 0, 42, 1}, {1000, 52, 7, 1}, {1u << 30, 1000000, 99, 2}};
    const std::string bytes = pm::encode_directory(entries);
    auto back = pm::decode_directory(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, entries);
    // Contiguous offsets are written as 0: the second entry's offset costs one byte.
    EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 5u);
}

TEST(Pmtiles, DirectoryDecoderRefusesBrokenInput) {
    EXPECT_FALSE(pm::decode_directory(""));
    EXPECT_FALSE(pm::decode_directory(std::string("\x05\x01", 2)));                  // truncated
    EXPECT_FALSE(pm::decode_directory(std::string(10, '\xff')));                     // endless varint
    EXPECT_FALSE(pm::decode_directory(std::string("\x01\x00\x01\x01\x00", 5)));      // first offset 0
    EXPECT_FALSE(pm::decode_directory(std::string("\x01\x00\x01\x01\x01\x00", 6)));  // trailing byte
    // Found by the fuzz smoke: a second id delta that wraps past 2^64 (ids must ascend).
    const std::string wrap =
        std::string("\x02\x05", 2) + std::string(9, '\xff') + std::string("\x01\x00\x00\x01\x01\x01\x00", 7);
    EXPECT_FALSE(pm::decode_directory(wrap));
    const std::string huge_count = std::string("\xff\xff\xff\xff\x0f", 5);  // 4 G entries
    EXPECT_FALSE(pm::decode_directory(huge_count));
}

TEST(Pmtiles, HeaderRoundTripsAndIs127Bytes) {
    pm::Header h;
    h.root_offset = 127;
    h.root_length = 300;
    h.metadata_offset = 427;
    h.metadata_length = 50;
    h.leaf_offset = 477;
    h.leaf_length = 0;
    h.tile_data_offset = 477;
    h.tile_data_length = 1ull << 40;
    h.addressed_tiles = 12345;
    h.tile_entries = 12000;
    h.tile_contents = 11000;
    h.min_zoom = 0;
    h.max_zoom = 14;
    h.min_lon = -3.2345678;
    h.min_lat = 51.75;
    h.max_lon = -1.9;
    h.max_lat = 52.9876543;
    h.center_zoom = 9;
    h.center_lon = -2.7;
    h.center_lat = 52.06;
    const std::string bytes = pm::encode_header(h);
    ASSERT_EQ(bytes.size(), pm::header_bytes);
    EXPECT_EQ(bytes.substr(0, 7), "PMTiles");
    EXPECT_EQ(bytes[7], 3);
    auto back = pm::decode_header(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, h);
    EXPECT_FALSE(pm::decode_header(bytes.substr(0, 126)));
    EXPECT_FALSE(pm::decode_header("MBTiles" + bytes.substr(7)));
}

TEST(Pmtiles, SmallDirectoryStaysInTheRoot) {
    std::vector<pm::Entry> entries;
    for (std::uint64_t i = 0; i < 1000; ++i) entries.push_back({i * 3, i * 100, 100, 1});
    auto dirs = pm::build_directories(entries, gzip);
    EXPECT_EQ(dirs.leaf_count, 0u);
    EXPECT_TRUE(dirs.leaves.empty());
    EXPECT_EQ(pm::decode_directory(gunzip(dirs.root)).value(), entries);
}

TEST(Pmtiles, LargeDirectorySplitsIntoLeavesAndTheRootFits16KiB) {
    std::mt19937_64 rng(7);
    std::vector<pm::Entry> entries;
    std::uint64_t id = 0, offset = 0;
    for (int i = 0; i < 300000; ++i) {
        id += 1 + rng() % 50;  // gaps defeat the compressor's best case
        const auto len = static_cast<std::uint32_t>(50 + rng() % 5000);
        entries.push_back({id, offset, len, 1});
        offset += len;
    }
    for (const auto& compress : {pm::Compressor(gzip), pm::Compressor(identity)}) {
        auto dirs = pm::build_directories(entries, compress);
        const bool gz = dirs.root.size() > 1 && dirs.root[0] == '\x1f';
        auto inflate = [&](std::string_view s) { return gz ? gunzip(s) : std::string(s); };
        EXPECT_GT(dirs.leaf_count, 0u);
        EXPECT_LE(pm::header_bytes + dirs.root.size(), pm::root_budget_bytes);
        auto root = pm::decode_directory(inflate(dirs.root)).value();
        std::vector<pm::Entry> all;
        for (const auto& leaf : root) {
            EXPECT_EQ(leaf.run_length, 0u);
            auto part =
                pm::decode_directory(inflate(std::string_view(dirs.leaves).substr(leaf.offset, leaf.length)))
                    .value();
            ASSERT_FALSE(part.empty());
            EXPECT_EQ(part.front().tile_id, leaf.tile_id);
            all.insert(all.end(), part.begin(), part.end());
        }
        EXPECT_EQ(all, entries);
    }
}

// A whole archive: tiles added in id order, a repeated tile becomes a run, and every tile is found
// again by following the header's offsets.
TEST(Pmtiles, WriterLaysOutAClusteredArchive) {
    std::string data;
    pm::PmtilesWriter writer([&](std::string_view b) { data += b; }, gzip);
    std::vector<std::pair<TileId, std::string>> tiles;
    for (std::uint8_t z = 0; z <= 3; ++z)
        for (std::uint32_t x = 0; x < (1u << z); ++x)
            for (std::uint32_t y = 0; y < (1u << z); ++y)
                if ((x + y + z) % 3 != 0)
                    tiles.push_back(
                        {{z, x, y},
                         "tile " + std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y)});
    std::sort(tiles.begin(), tiles.end(),
              [](const auto& a, const auto& b) { return pm::tile_id(a.first) < pm::tile_id(b.first); });
    for (const auto& [t, bytes] : tiles) writer.add_tile(pm::tile_id(t), bytes);
    // Two more tiles with the same bytes at consecutive ids: one content, a run of two.
    const auto id4 = pm::tile_id({4, 0, 0});
    writer.add_tile(id4, "same");
    writer.add_tile(id4 + 1, "same");
    EXPECT_THROW(writer.add_tile(id4, "again"), std::invalid_argument);
    EXPECT_THROW(writer.add_tile(id4 + 5, ""), std::invalid_argument);
    EXPECT_EQ(writer.addressed_tiles(), tiles.size() + 2);
    EXPECT_EQ(writer.tile_contents(), tiles.size() + 1);

    pm::Header h;
    h.max_zoom = 4;
    const std::string prefix = writer.finish(h, R"({"vector_layers":[]})");
    const std::string archive = prefix + data;
    auto header = pm::decode_header(archive).value();
    EXPECT_TRUE(header.clustered);
    EXPECT_EQ(header.root_offset, pm::header_bytes);
    EXPECT_EQ(header.tile_data_offset, prefix.size());
    EXPECT_EQ(header.tile_data_length, data.size());
    EXPECT_EQ(header.addressed_tiles, tiles.size() + 2);
    EXPECT_EQ(header.tile_entries, tiles.size() + 1);
    EXPECT_EQ(header.tile_contents, tiles.size() + 1);
    EXPECT_EQ(gunzip(archive.substr(header.metadata_offset, header.metadata_length)),
              R"({"vector_layers":[]})");
    auto root = pm::decode_directory(gunzip(archive.substr(header.root_offset, header.root_length))).value();
    ASSERT_EQ(root.size(), tiles.size() + 1);
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        EXPECT_EQ(root[i].tile_id, pm::tile_id(tiles[i].first));
        EXPECT_EQ(archive.substr(header.tile_data_offset + root[i].offset, root[i].length), tiles[i].second);
    }
    EXPECT_EQ(root.back().run_length, 2u);
    EXPECT_THROW(writer.finish(h, "{}"), std::logic_error);
}
