#include "core/postcode_index.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "core/postcode.hpp"

namespace crimemap::core {
namespace {

// About 1.1 km on both axes at British latitudes: a 100 m query touches 1-4 cells, 2 km ~ 25.
constexpr double cell_lat = 0.01;
constexpr double cell_lon = 0.016;
constexpr double metres_per_degree = 111194.9;  // mean-radius sphere
constexpr std::int64_t cell_bias = 1 << 20;

std::uint64_t cell_key(std::int64_t row, std::int64_t col) {
    return (static_cast<std::uint64_t>(row + cell_bias) << 32) | static_cast<std::uint64_t>(col + cell_bias);
}
std::int64_t cell_row(double lat) { return static_cast<std::int64_t>(std::floor(lat / cell_lat)); }
std::int64_t cell_col(double lon) { return static_cast<std::int64_t>(std::floor(lon / cell_lon)); }

// The nearest-first answers: v sorted by less and cut to limit (only the first limit sorted when
// more were found, as a wide radius finds thousands).
template <class T, class Less>
void keep_first(std::vector<T>& v, std::size_t limit, Less less) {
    if (v.size() > limit) {
        std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(limit), v.end(), less);
        v.resize(limit);
    } else {
        std::sort(v.begin(), v.end(), less);
    }
}

std::string squeeze_upper(std::string_view text) {
    std::string out;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)))
            out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return out;
}

// Outcode padded to four characters, then the incode: orders exactly like the display form
// ('HR1 1AA' < 'HR1A 1AA' < 'HR10 1AA') without allocating.
std::array<char, 7> display_key(std::string_view c) {
    std::array<char, 7> k;
    k.fill(' ');
    if (c.size() < 5) return k;
    const auto out = c.size() - 3;
    for (std::size_t i = 0; i < out && i < 4; ++i) k[i] = c[i];
    for (std::size_t i = 0; i < 3; ++i) k[4 + i] = c[out + i];
    return k;
}

std::string display_of(std::string_view compact) {
    if (compact.size() < 5) return std::string(compact);
    return std::string(compact.substr(0, compact.size() - 3)) + " " +
           std::string(compact.substr(compact.size() - 3));
}

}  // namespace

namespace {
constexpr std::array<std::string_view, pc_code_count> kCodeColumns = {
    "country", "region", "county", "lad",    "ward", "parish", "lsoa", "msoa",
    "pcon",    "pfa",    "ccg",    "nhs_ha", "ced",  "eer",    "pct",  "itl"};
}  // namespace

std::string_view pc_code_column(PcCode code) noexcept { return kCodeColumns[static_cast<std::size_t>(code)]; }

std::optional<PcCode> pc_code_from_column(std::string_view column) noexcept {
    for (std::size_t i = 0; i < pc_code_count; ++i)
        if (kCodeColumns[i] == column) return static_cast<PcCode>(i);
    return std::nullopt;
}

double distance_m(double lon1, double lat1, double lon2, double lat2) noexcept {
    constexpr double r = 6371008.8;
    constexpr double rad = 3.14159265358979323846 / 180.0;
    const double dlat = (lat2 - lat1) * rad;
    const double dlon = (lon2 - lon1) * rad;
    const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * r * std::asin(std::min(1.0, std::sqrt(a)));
}

std::string_view PostcodeRecord::compact_view() const noexcept {
    return {compact.data(), ::strnlen(compact.data(), compact.size())};
}
std::string PostcodeRecord::display() const { return display_of(compact_view()); }
std::string PostcodeRecord::outcode() const {
    auto c = compact_view();
    return std::string(c.substr(0, c.size() >= 3 ? c.size() - 3 : 0));
}
std::string PostcodeRecord::incode() const {
    auto c = compact_view();
    return std::string(c.size() >= 3 ? c.substr(c.size() - 3) : c);
}

const PostcodeRecord* PostcodeIndex::find(std::string_view compact) const {
    auto it =
        std::lower_bound(records_.begin(), records_.end(), compact,
                         [](const PostcodeRecord& r, std::string_view k) { return r.compact_view() < k; });
    if (it == records_.end() || it->compact_view() != compact) return nullptr;
    return &*it;
}

std::vector<NearbyPostcode> PostcodeIndex::nearest(double lon, double lat, double radius_m,
                                                   std::size_t limit) const {
    std::vector<NearbyPostcode> out;
    if (limit == 0 || !(radius_m >= 0) || !std::isfinite(lon) || !std::isfinite(lat)) return out;
    // Search growing squares: once a smaller radius already holds `limit` postcodes, they are the
    // nearest ones and the larger radius is never scanned.
    double r = std::min(radius_m, 250.0);
    for (;;) {
        out.clear();
        const double dlat = r / metres_per_degree;
        const double coslat = std::max(0.01, std::cos(lat * 3.14159265358979323846 / 180.0));
        const double dlon = dlat / coslat;
        const auto r0 = cell_row(lat - dlat), r1 = cell_row(lat + dlat);
        const auto c0 = cell_col(lon - dlon), c1 = cell_col(lon + dlon);
        for (auto row = r0; row <= r1; ++row) {
            auto lo = std::lower_bound(grid_keys_.begin(), grid_keys_.end(), cell_key(row, c0));
            auto hi = std::upper_bound(lo, grid_keys_.end(), cell_key(row, c1));
            for (auto it = lo; it != hi; ++it) {
                const auto idx = grid_items_[static_cast<std::size_t>(it - grid_keys_.begin())];
                const auto& rec = records_[idx];
                const double d = distance_m(lon, lat, rec.lon(), rec.lat());
                if (d <= r) out.push_back({idx, d});
            }
        }
        if (out.size() >= limit || r >= radius_m) break;
        r = std::min(radius_m, r * 4);
    }
    auto less = [&](const NearbyPostcode& a, const NearbyPostcode& b) {
        if (a.distance != b.distance) return a.distance < b.distance;
        return display_key(records_[a.index].compact_view()) < display_key(records_[b.index].compact_view());
    };
    keep_first(out, limit, less);
    return out;
}

std::vector<std::uint32_t> PostcodeIndex::prefix_range(std::string_view prefix, bool display,
                                                       std::size_t limit) const {
    std::vector<std::uint32_t> out;
    if (display) {
        auto key = [&](std::uint32_t i) { return records_[i].display(); };
        auto it = std::lower_bound(by_display_.begin(), by_display_.end(), prefix,
                                   [&](std::uint32_t i, std::string_view p) { return key(i) < p; });
        for (; it != by_display_.end() && out.size() < limit; ++it) {
            if (key(*it).compare(0, prefix.size(), prefix) != 0) break;
            out.push_back(*it);
        }
    } else {
        auto it = std::lower_bound(
            records_.begin(), records_.end(), prefix,
            [](const PostcodeRecord& r, std::string_view p) { return r.compact_view() < p; });
        for (; it != records_.end() && out.size() < limit; ++it) {
            if (it->compact_view().substr(0, prefix.size()) != prefix) break;
            if (it->live()) out.push_back(static_cast<std::uint32_t>(it - records_.begin()));
        }
        // Compact order differs from display order ('HR101AA' < 'HR11AA'); answer in display order.
        std::sort(out.begin(), out.end(), [&](std::uint32_t a, std::uint32_t b) {
            return display_key(records_[a].compact_view()) < display_key(records_[b].compact_view());
        });
    }
    return out;
}

std::vector<std::uint32_t> PostcodeIndex::search(std::string_view query, std::size_t limit) const {
    std::string upper;
    for (char c : query) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    // Trim and collapse inner whitespace runs to one space.
    std::string norm;
    for (char c : upper) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!norm.empty() && norm.back() != ' ') norm.push_back(' ');
        } else if (std::isalnum(static_cast<unsigned char>(c))) {
            norm.push_back(c);
        } else {
            return {};  // postcodes never contain punctuation
        }
    }
    while (!norm.empty() && norm.back() == ' ') norm.pop_back();
    const std::string compact = squeeze_upper(norm);
    if (compact.empty() || limit == 0) return {};
    if (auto exact = find(compact); exact && exact->live())
        return {static_cast<std::uint32_t>(exact - records_.data())};
    if (parse_outcode(norm)) {
        auto r = prefix_range(norm + " ", true, limit);
        if (!r.empty()) return r;
    }
    if (auto sp = norm.find(' '); sp != std::string::npos && norm.find(' ', sp + 1) == std::string::npos) {
        auto r = prefix_range(norm, true, limit);
        if (!r.empty()) return r;
    }
    // Compact prefix: collect more than needed before re-sorting into display order.
    auto r = prefix_range(compact, false, std::max<std::size_t>(limit, 200));
    if (r.size() > limit) r.resize(limit);
    return r;
}

std::optional<OutcodeSummary> PostcodeIndex::outcode(std::string_view outcode) const {
    auto norm = parse_outcode(outcode);
    if (!norm) return std::nullopt;
    auto items = prefix_range(*norm + " ", true, records_.size());
    if (items.empty()) return std::nullopt;
    OutcodeSummary s;
    s.outcode = *norm;
    double lon = 0, lat = 0, e = 0, n = 0;
    std::size_t located = 0, gridded = 0;
    for (auto i : items) {
        const auto& r = records_[i];
        ++s.postcodes;
        if (r.located()) {
            lon += r.lon();
            lat += r.lat();
            ++located;
        }
        if (r.eastings != PostcodeRecord::none && r.northings != PostcodeRecord::none) {
            e += r.eastings;
            n += r.northings;
            ++gridded;
        }
        for (std::size_t k = 0; k < pc_code_count; ++k) {
            auto c = r.codes[k];
            if (c && std::find(s.codes[k].begin(), s.codes[k].end(), c) == s.codes[k].end())
                s.codes[k].push_back(c);
        }
    }
    if (located) {
        s.lon = lon / static_cast<double>(located);
        s.lat = lat / static_cast<double>(located);
    }
    if (gridded) {
        s.eastings = e / static_cast<double>(gridded);
        s.northings = n / static_cast<double>(gridded);
    }
    return s;
}

std::vector<NearbyOutcode> PostcodeIndex::nearest_outcodes(double lon, double lat, double radius_m,
                                                           std::size_t limit) const {
    std::vector<NearbyOutcode> out;
    if (limit == 0 || !(radius_m >= 0) || !std::isfinite(lon) || !std::isfinite(lat)) return out;
    for (const auto& c : outcode_centroids_) {
        const double d = distance_m(lon, lat, c.lon, c.lat);
        if (d <= radius_m) out.push_back({c.outcode, d});
    }
    auto less = [](const NearbyOutcode& a, const NearbyOutcode& b) {
        if (a.distance != b.distance) return a.distance < b.distance;
        return a.outcode < b.outcode;
    };
    keep_first(out, limit, less);
    return out;
}

std::optional<std::uint32_t> PostcodeIndex::pick_live(std::string_view outcode, std::uint64_t random) const {
    if (outcode.empty()) {
        if (by_display_.empty()) return std::nullopt;
        return by_display_[random % by_display_.size()];
    }
    auto norm = parse_outcode(outcode);
    if (!norm) return std::nullopt;
    auto items = prefix_range(*norm + " ", true, records_.size());
    if (items.empty()) return std::nullopt;
    return items[random % items.size()];
}

std::size_t PostcodeIndex::memory_bytes() const {
    std::size_t bytes = records_.capacity() * sizeof(PostcodeRecord) + by_display_.capacity() * 4 +
                        grid_keys_.capacity() * 8 + grid_items_.capacity() * 4 + tile_keys_.capacity() * 8 +
                        tile_items_.capacity() * 4 + outcode_centroids_.capacity() * sizeof(OutcodeCentroid);
    for (const auto& s : strings_) bytes += sizeof(std::string) + (s.size() > 15 ? s.capacity() : 0);
    return bytes;
}

std::uint32_t PostcodeIndexBuilder::intern(const std::string& s) {
    if (s.empty()) return 0;
    auto [it, inserted] = interned_.try_emplace(s, static_cast<std::uint32_t>(index_.strings_.size()));
    if (inserted) index_.strings_.push_back(s);
    return it->second;
}

bool PostcodeIndexBuilder::add(const PostcodeRow& row) {
    if (index_.strings_.empty()) index_.strings_.emplace_back();
    const std::string compact = squeeze_upper(row.compact);
    if (compact.size() < 5 || compact.size() > 7) return false;
    PostcodeRecord r;
    std::memcpy(r.compact.data(), compact.data(), compact.size());
    auto micro = [](double v) { return static_cast<std::int32_t>(std::llround(v * 1e6)); };
    if (row.lon && row.lat && std::isfinite(*row.lon) && std::isfinite(*row.lat) &&
        std::abs(*row.lat) <= 90 && std::abs(*row.lon) <= 180 && !(*row.lat > 99.0)) {
        r.lon_e6 = micro(*row.lon);
        r.lat_e6 = micro(*row.lat);
    }
    if (row.eastings) r.eastings = *row.eastings;
    if (row.northings) r.northings = *row.northings;
    if (row.introduced) r.introduced = row.introduced->index();
    if (row.terminated) r.terminated = row.terminated->index();
    r.quality = static_cast<std::uint8_t>(std::clamp(row.quality, 0, 255));
    for (std::size_t k = 0; k < pc_code_count; ++k) r.codes[k] = intern(row.codes[k]);
    r.pseudo = row.pseudo;
    index_.records_.push_back(r);
    return true;
}

PostcodeIndex PostcodeIndexBuilder::finish() {
    if (index_.strings_.empty()) index_.strings_.emplace_back();
    auto& recs = index_.records_;
    std::sort(recs.begin(), recs.end(), [](const PostcodeRecord& a, const PostcodeRecord& b) {
        return a.compact_view() < b.compact_view();
    });
    // Keep the first of duplicate postcodes.
    recs.erase(std::unique(recs.begin(), recs.end(),
                           [](const PostcodeRecord& a, const PostcodeRecord& b) {
                               return a.compact_view() == b.compact_view();
                           }),
               recs.end());
    recs.shrink_to_fit();
    std::vector<std::pair<std::uint64_t, std::uint32_t>> grid;
    for (std::uint32_t i = 0; i < recs.size(); ++i) {
        if (!recs[i].live()) continue;
        index_.by_display_.push_back(i);
        if (recs[i].located())
            grid.emplace_back(cell_key(cell_row(recs[i].lat()), cell_col(recs[i].lon())), i);
    }
    std::sort(index_.by_display_.begin(), index_.by_display_.end(), [&](std::uint32_t a, std::uint32_t b) {
        return display_key(recs[a].compact_view()) < display_key(recs[b].compact_view());
    });
    std::sort(grid.begin(), grid.end());
    index_.grid_keys_.reserve(grid.size());
    index_.grid_items_.reserve(grid.size());
    for (const auto& [k, i] : grid) {
        index_.grid_keys_.push_back(k);
        index_.grid_items_.push_back(i);
    }
    for (auto& [k, i] : grid) k = geo::morton(geo::to_world({recs[i].lon(), recs[i].lat()}));
    std::sort(grid.begin(), grid.end());
    index_.tile_keys_.reserve(grid.size());
    index_.tile_items_.reserve(grid.size());
    for (const auto& [k, i] : grid) {
        index_.tile_keys_.push_back(k);
        index_.tile_items_.push_back(i);
    }
    // Outcode centroids: live postcodes in display order are grouped by outcode; the centroid is
    // the mean of the located ones, exactly as outcode() computes it.
    for (std::size_t a = 0; a < index_.by_display_.size();) {
        const std::string oc = recs[index_.by_display_[a]].outcode();
        double lon = 0, lat = 0;
        std::size_t located = 0, b = a;
        for (; b < index_.by_display_.size() && recs[index_.by_display_[b]].outcode() == oc; ++b) {
            const auto& r = recs[index_.by_display_[b]];
            if (!r.located()) continue;
            lon += r.lon();
            lat += r.lat();
            ++located;
        }
        if (located)
            index_.outcode_centroids_.push_back(
                {oc, lon / static_cast<double>(located), lat / static_cast<double>(located)});
        a = b;
    }
    interned_.clear();
    return std::move(index_);
}

}  // namespace crimemap::core
