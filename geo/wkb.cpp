#include "geo/wkb.hpp"

#include <bit>
#include <cmath>
#include <cstddef>
#include <utility>

#include "base/text.hpp"

namespace crimemap::geo {

namespace {

constexpr uint32_t kEwkbZ = 0x80000000U;
constexpr uint32_t kEwkbM = 0x40000000U;
constexpr uint32_t kEwkbSrid = 0x20000000U;

constexpr uint32_t kPoint = 1;
constexpr uint32_t kPolygon = 3;
constexpr uint32_t kMultiPoint = 4;
constexpr uint32_t kMultiPolygon = 6;

// Bytes of the smallest possible encoding of one element, used to bound counts before allocating.
constexpr std::size_t kMinHeader = 1 + 4;

struct Header {
    bool little = true;
    uint32_t type = 0;  // base type, flags and ISO dimension offset removed
    std::size_t dims = 2;
    std::optional<uint32_t> srid;
};

class Reader {
  public:
    explicit Reader(std::string_view data) : data_(data) {}

    [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }
    [[nodiscard]] bool failed() const noexcept { return !error_.empty(); }

    bool fail(std::string what) {
        if (error_.empty()) error_ = std::move(what) + " at byte " + std::to_string(pos_);
        return false;
    }

    bool need(std::size_t n) {
        if (remaining() >= n) return true;
        return fail("truncated input (need " + std::to_string(n) + " bytes, have " +
                    std::to_string(remaining()) + ")");
    }

    bool u8(uint8_t& out) {
        if (!need(1)) return false;
        out = static_cast<uint8_t>(data_[pos_++]);
        return true;
    }

    bool u32(uint32_t& out, bool little) {
        uint64_t v = 0;
        if (!read_uint(4, little, v)) return false;
        out = static_cast<uint32_t>(v);
        return true;
    }

    bool f64(double& out, bool little) {
        uint64_t v = 0;
        if (!read_uint(8, little, v)) return false;
        out = std::bit_cast<double>(v);
        return true;
    }

    // Reads a count and checks that `count` elements of at least `min_bytes` each can still fit.
    bool count(uint32_t& out, bool little, std::size_t min_bytes, const char* what) {
        if (!u32(out, little)) return false;
        if (min_bytes > 0 && out > remaining() / min_bytes) {
            return fail(std::string(what) + " count " + std::to_string(out) + " exceeds the remaining input");
        }
        return true;
    }

  private:
    bool read_uint(std::size_t n, bool little, uint64_t& out) {
        if (!need(n)) return false;
        uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto byte =
                static_cast<uint64_t>(static_cast<unsigned char>(data_[pos_ + (little ? n - 1 - i : i)]));
            v = (v << 8) | byte;
        }
        pos_ += n;
        out = v;
        return true;
    }

    std::string_view data_;
    std::size_t pos_ = 0;
    std::string error_;
};

bool read_header(Reader& r, Header& h) {
    uint8_t order = 0;
    if (!r.u8(order)) return false;
    if (order > 1) return r.fail("bad byte-order marker " + std::to_string(order));
    h.little = order == 1;
    uint32_t type = 0;
    if (!r.u32(type, h.little)) return false;
    bool has_z = (type & kEwkbZ) != 0;
    bool has_m = (type & kEwkbM) != 0;
    const bool has_srid = (type & kEwkbSrid) != 0;
    type &= 0x0FFFFFFFU;
    if (type >= 1000 && type < 4000) {
        const uint32_t iso = type / 1000;
        has_z = has_z || iso == 1 || iso == 3;
        has_m = has_m || iso == 2 || iso == 3;
        type %= 1000;
    }
    h.type = type;
    h.dims = 2 + (has_z ? 1U : 0U) + (has_m ? 1U : 0U);
    h.srid.reset();
    if (has_srid) {
        uint32_t srid = 0;
        if (!r.u32(srid, h.little)) return false;
        h.srid = srid;
    }
    return true;
}

bool read_coord(Reader& r, const Header& h, LonLat& out) {
    double ordinates[4] = {};
    for (std::size_t i = 0; i < h.dims; ++i) {
        if (!r.f64(ordinates[i], h.little)) return false;
    }
    out = {ordinates[0], ordinates[1]};
    return true;
}

// Point body; POINT EMPTY (NaN NaN) adds nothing.
bool read_point_body(Reader& r, const Header& h, std::vector<LonLat>& out) {
    LonLat p{};
    if (!read_coord(r, h, p)) return false;
    if (std::isnan(p.lon) && std::isnan(p.lat)) return true;
    if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) return r.fail("non-finite point coordinate");
    out.push_back(p);
    return true;
}

bool read_polygon_body(Reader& r, const Header& h, LonLatPolygon& out) {
    uint32_t rings = 0;
    if (!r.count(rings, h.little, 4, "ring")) return false;
    out.reserve(rings);
    for (uint32_t i = 0; i < rings; ++i) {
        uint32_t points = 0;
        if (!r.count(points, h.little, 8 * h.dims, "point")) return false;
        LonLatRing& ring = out.emplace_back();
        ring.reserve(points);
        for (uint32_t j = 0; j < points; ++j) {
            LonLat p{};
            if (!read_coord(r, h, p)) return false;
            if (!std::isfinite(p.lon) || !std::isfinite(p.lat))
                return r.fail("non-finite polygon coordinate");
            ring.push_back(p);
        }
    }
    return true;
}

// One member of a Multi* geometry: its own header (byte order may differ), then its body.
bool read_member(Reader& r, uint32_t expected_type, WkbGeometry& g) {
    Header h;
    if (!read_header(r, h)) return false;
    if (h.type != expected_type) {
        return r.fail("member of type " + std::to_string(h.type) + " where " + std::to_string(expected_type) +
                      " was expected");
    }
    if (expected_type == kPoint) return read_point_body(r, h, g.points);
    LonLatPolygon poly;
    if (!read_polygon_body(r, h, poly)) return false;
    g.polygons.push_back(std::move(poly));
    return true;
}

}  // namespace

WkbResult parse_wkb(std::string_view bytes) {
    Reader r(bytes);
    WkbGeometry g;
    Header h;
    bool ok = read_header(r, h);
    if (ok) {
        g.srid = h.srid;
        switch (h.type) {
            case kPoint:
                g.type = WkbType::point;
                ok = read_point_body(r, h, g.points);
                break;
            case kPolygon: {
                g.type = WkbType::polygon;
                LonLatPolygon poly;
                ok = read_polygon_body(r, h, poly);
                if (ok && !poly.empty()) g.polygons.push_back(std::move(poly));
                break;
            }
            case kMultiPoint:
            case kMultiPolygon: {
                const bool points = h.type == kMultiPoint;
                g.type = points ? WkbType::multi_point : WkbType::multi_polygon;
                uint32_t n = 0;
                ok = r.count(n, h.little, kMinHeader + (points ? 16 : 4), points ? "point" : "polygon");
                if (ok && points) g.points.reserve(n);
                if (ok && !points) g.polygons.reserve(n);
                for (uint32_t i = 0; ok && i < n; ++i) ok = read_member(r, points ? kPoint : kPolygon, g);
                break;
            }
            default: ok = r.fail("unsupported geometry type " + std::to_string(h.type));
        }
    }
    if (ok && r.remaining() != 0) ok = r.fail(std::to_string(r.remaining()) + " trailing bytes");
    WkbResult result;
    if (ok) {
        result.geometry = std::move(g);
    } else {
        result.error = "invalid WKB: " + r.error();
    }
    return result;
}

std::optional<std::string> hex_decode(std::string_view hex) {
    if (hex.starts_with("\\x")) hex.remove_prefix(2);
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = base::hex_value(hex[i]);
        const int lo = base::hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>((hi << 4) | lo));
    }
    return out;
}

WkbResult parse_hex_wkb(std::string_view hex) {
    std::optional<std::string> bytes = hex_decode(hex);
    if (!bytes) return WkbResult{std::nullopt, "invalid WKB: not a hex string"};
    return parse_wkb(*bytes);
}

}  // namespace crimemap::geo
