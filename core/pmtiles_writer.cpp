#include "core/pmtiles_writer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace crimemap::core::pmtiles {

namespace {

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

bool get_varint(std::string_view& in, std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (in.empty()) return false;
        const auto byte = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        const std::uint64_t bits = byte & 0x7fu;
        if (shift == 63 && bits > 1) return false;  // past 64 bits
        v |= bits << shift;
        if (!(byte & 0x80)) return true;
    }
    return false;
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_u64(std::string_view b, std::size_t at) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
    return v;
}

// Degrees as a little-endian int32 of degrees * 10^7 (spec 3.4).
void put_degrees(std::string& out, double degrees) {
    const double scaled = std::clamp(std::round(degrees * 1e7), -2147483648.0, 2147483647.0);
    const auto v = static_cast<std::uint32_t>(static_cast<std::int32_t>(scaled));
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
double get_degrees(std::string_view b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
    return static_cast<double>(static_cast<std::int32_t>(v)) / 1e7;
}

// Tiles of zooms 0 .. z-1: (4^z - 1) / 3.
constexpr std::uint64_t first_id_of_zoom(int z) noexcept { return ((std::uint64_t{1} << (2 * z)) - 1) / 3; }

}  // namespace

std::uint64_t tile_id(geo::TileId tile) noexcept {
    std::uint64_t d = 0;
    std::uint64_t x = tile.x, y = tile.y;
    for (std::uint64_t s = tile.z == 0 ? 0 : std::uint64_t{1} << (tile.z - 1); s > 0; s >>= 1) {
        const std::uint64_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
        d += s * s * ((3 * rx) ^ ry);
        // Rotate the quadrant so the curve below s continues where this one left off.
        x &= s - 1;
        y &= s - 1;
        if (ry == 0) {
            if (rx == 1) {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            std::swap(x, y);
        }
    }
    return first_id_of_zoom(tile.z) + d;
}

std::optional<geo::TileId> tile_from_id(std::uint64_t id) noexcept {
    int z = 0;
    while (z < max_zoom && first_id_of_zoom(z + 1) <= id) ++z;
    std::uint64_t d = id - first_id_of_zoom(z);
    if (d >> (2 * z) != 0) return std::nullopt;  // past the last tile of max_zoom
    std::uint64_t x = 0, y = 0;
    for (std::uint64_t s = 1; s < (std::uint64_t{1} << z); s <<= 1) {
        const std::uint64_t rx = 1 & (d / 2), ry = 1 & (d ^ rx);
        if (ry == 0) {
            if (rx == 1) {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            std::swap(x, y);
        }
        x += s * rx;
        y += s * ry;
        d /= 4;
    }
    return geo::TileId{static_cast<std::uint8_t>(z), static_cast<std::uint32_t>(x),
                       static_cast<std::uint32_t>(y)};
}

std::string encode_directory(std::span<const Entry> entries) {
    std::string out;
    out.reserve(entries.size() * 6 + 8);
    put_varint(out, entries.size());
    std::uint64_t last_id = 0;
    for (const auto& e : entries) {
        put_varint(out, e.tile_id - last_id);
        last_id = e.tile_id;
    }
    for (const auto& e : entries) put_varint(out, e.run_length);
    for (const auto& e : entries) put_varint(out, e.length);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        // 0 = right after the previous entry's bytes (the common case in a clustered archive).
        if (i > 0 && entries[i].offset == entries[i - 1].offset + entries[i - 1].length)
            put_varint(out, 0);
        else
            put_varint(out, entries[i].offset + 1);
    }
    return out;
}

std::optional<std::vector<Entry>> decode_directory(std::string_view in) {
    std::uint64_t n = 0;
    if (!get_varint(in, n) || n > in.size()) return std::nullopt;  // each entry takes >= 4 bytes
    std::vector<Entry> entries(static_cast<std::size_t>(n));
    std::uint64_t id = 0, v = 0;
    for (auto& e : entries) {
        // Ids are delta-coded upwards: a delta that wraps past 2^64 would send them backwards.
        if (!get_varint(in, v) || v > UINT64_MAX - id) return std::nullopt;
        id += v;
        e.tile_id = id;
    }
    for (auto& e : entries) {
        if (!get_varint(in, v) || v > UINT32_MAX) return std::nullopt;
        e.run_length = static_cast<std::uint32_t>(v);
    }
    for (auto& e : entries) {
        if (!get_varint(in, v) || v > UINT32_MAX) return std::nullopt;
        e.length = static_cast<std::uint32_t>(v);
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (!get_varint(in, v)) return std::nullopt;
        if (v == 0 && i > 0)
            entries[i].offset = entries[i - 1].offset + entries[i - 1].length;
        else if (v == 0)
            return std::nullopt;
        else
            entries[i].offset = v - 1;
    }
    if (!in.empty()) return std::nullopt;
    return entries;
}

std::string encode_header(const Header& h) {
    std::string out = "PMTiles";
    out.push_back(3);
    for (std::uint64_t v :
         {h.root_offset, h.root_length, h.metadata_offset, h.metadata_length, h.leaf_offset, h.leaf_length,
          h.tile_data_offset, h.tile_data_length, h.addressed_tiles, h.tile_entries, h.tile_contents})
        put_u64(out, v);
    out.push_back(h.clustered ? 1 : 0);
    out.push_back(static_cast<char>(h.internal_compression));
    out.push_back(static_cast<char>(h.tile_compression));
    out.push_back(static_cast<char>(h.tile_type));
    out.push_back(static_cast<char>(h.min_zoom));
    out.push_back(static_cast<char>(h.max_zoom));
    put_degrees(out, h.min_lon);
    put_degrees(out, h.min_lat);
    put_degrees(out, h.max_lon);
    put_degrees(out, h.max_lat);
    out.push_back(static_cast<char>(h.center_zoom));
    put_degrees(out, h.center_lon);
    put_degrees(out, h.center_lat);
    return out;
}

std::optional<Header> decode_header(std::string_view b) {
    if (b.size() < header_bytes || b.substr(0, 7) != "PMTiles" || b[7] != 3) return std::nullopt;
    Header h;
    std::uint64_t* fields[] = {&h.root_offset,     &h.root_length,  &h.metadata_offset,  &h.metadata_length,
                               &h.leaf_offset,     &h.leaf_length,  &h.tile_data_offset, &h.tile_data_length,
                               &h.addressed_tiles, &h.tile_entries, &h.tile_contents};
    std::size_t at = 8;
    for (auto* f : fields) {
        *f = get_u64(b, at);
        at += 8;
    }
    auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(b[i]); };
    h.clustered = byte(96) == 1;
    h.internal_compression = static_cast<Compression>(byte(97));
    h.tile_compression = static_cast<Compression>(byte(98));
    h.tile_type = static_cast<TileType>(byte(99));
    h.min_zoom = byte(100);
    h.max_zoom = byte(101);
    h.min_lon = get_degrees(b, 102);
    h.min_lat = get_degrees(b, 106);
    h.max_lon = get_degrees(b, 110);
    h.max_lat = get_degrees(b, 114);
    h.center_zoom = byte(118);
    h.center_lon = get_degrees(b, 119);
    h.center_lat = get_degrees(b, 123);
    return h;
}

Directories build_directories(std::span<const Entry> entries, const Compressor& compress) {
    Directories out;
    const std::size_t root_budget = root_budget_bytes - header_bytes;
    // Everything in the root when it fits (the encoding takes >= 4 bytes an entry, so only try
    // when a compressor could plausibly bring it under the budget).
    if (entries.size() <= root_budget * 4) {
        out.root = compress(encode_directory(entries));
        if (out.root.size() <= root_budget) return out;
    }
    // Leaves of leaf_size entries; the root points at each. Grow the leaves until the root fits.
    for (std::size_t leaf_size = 4096;; leaf_size += leaf_size / 2) {
        out.leaves.clear();
        std::vector<Entry> root;
        for (std::size_t i = 0; i < entries.size(); i += leaf_size) {
            const std::size_t n = std::min(leaf_size, entries.size() - i);
            std::string leaf = compress(encode_directory(entries.subspan(i, n)));
            root.push_back(
                {entries[i].tile_id, out.leaves.size(), static_cast<std::uint32_t>(leaf.size()), 0});
            out.leaves += leaf;
        }
        out.root = compress(encode_directory(root));
        out.leaf_count = root.size();
        if (out.root.size() <= root_budget) return out;
    }
}

PmtilesWriter::PmtilesWriter(Sink sink, Compressor compress)
    : sink_(std::move(sink)), compress_(std::move(compress)) {}

void PmtilesWriter::add_tile(std::uint64_t id, std::string_view bytes) {
    if (finished_) throw std::logic_error("PmtilesWriter: add_tile after finish");
    if (bytes.empty()) throw std::invalid_argument("PmtilesWriter: empty tile");
    if (bytes.size() > UINT32_MAX) throw std::invalid_argument("PmtilesWriter: tile over 4 GiB");
    if (!entries_.empty() && id <= entries_.back().tile_id + entries_.back().run_length - 1)
        throw std::invalid_argument("PmtilesWriter: tile ids must ascend");
    ++addressed_;
    auto& last = entries_;
    if (!last.empty() && id == last.back().tile_id + last.back().run_length && bytes == last_bytes_ &&
        last.back().run_length < UINT32_MAX) {
        ++last.back().run_length;
        return;
    }
    entries_.push_back({id, data_bytes_, static_cast<std::uint32_t>(bytes.size()), 1});
    sink_(bytes);
    data_bytes_ += bytes.size();
    ++contents_;
    last_bytes_.assign(bytes);
}

std::string PmtilesWriter::finish(Header h, std::string_view metadata_json) {
    if (finished_) throw std::logic_error("PmtilesWriter: finish twice");
    finished_ = true;
    const Directories dirs = build_directories(entries_, compress_);
    const std::string metadata = compress_(metadata_json);
    h.clustered = true;
    h.root_offset = header_bytes;
    h.root_length = dirs.root.size();
    h.metadata_offset = h.root_offset + h.root_length;
    h.metadata_length = metadata.size();
    h.leaf_offset = h.metadata_offset + h.metadata_length;
    h.leaf_length = dirs.leaves.size();
    h.tile_data_offset = h.leaf_offset + h.leaf_length;
    h.tile_data_length = data_bytes_;
    h.addressed_tiles = addressed_;
    h.tile_entries = entries_.size();
    h.tile_contents = contents_;
    std::string out = encode_header(h);
    out.reserve(static_cast<std::size_t>(h.tile_data_offset));
    out += dirs.root;
    out += metadata;
    out += dirs.leaves;
    return out;
}

}  // namespace crimemap::core::pmtiles
