#include "core/tile_query.hpp"

#include <charconv>

#include "core/snapshot.hpp"

namespace crimemap::core {
namespace {

constexpr int max_months_in_filter = 120;

// Strict non-negative decimal integer (no sign, no spaces), at most 10 digits.
std::optional<std::int64_t> parse_coordinate(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || v < 0) return std::nullopt;
    return v;
}

bool safe_token(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            return false;
    return true;
}

}  // namespace

Result<CrimeFilter> parse_crime_filter(const QueryParams& params, const Snapshot& snapshot) {
    CrimeFilter f;
    Month to = snapshot.last_month;
    if (auto t = find_param(params, "to")) {
        auto m = Month::parse(*t);
        if (!m) return bad_request("Invalid to: expected YYYY-MM");
        to = *m;
    }
    Month from = to;
    if (auto t = find_param(params, "from")) {
        auto m = Month::parse(*t);
        if (!m) return bad_request("Invalid from: expected YYYY-MM");
        from = *m;
    }
    if (from > to) return bad_request("Invalid from: after to");
    f.months = {from, to};
    if (f.months.length() > max_months_in_filter)
        return bad_request("Invalid from: the range may span at most 120 months");

    auto cats = find_param(params, "category");
    if (!cats || *cats == "all-crime" || cats->empty()) {
        f.categories.set();
        return f;
    }
    std::string_view rest = *cats;
    while (true) {
        auto comma = rest.find(',');
        std::string_view slug = rest.substr(0, comma);
        if (slug == "all-crime") {
            f.categories.set();
        } else {
            auto idx = category_from_slug(slug);
            if (!idx) {
                if (slug.size() > 64) slug = slug.substr(0, 64);
                return bad_request("Invalid category: " + std::string(slug));
            }
            f.categories.set(*idx);
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return f;
}

Result<TileQuery> parse_tile_query(std::string_view layers, std::string_view z, std::string_view x,
                                   std::string_view y, const QueryParams& params, const Snapshot& snapshot) {
    auto zi = parse_coordinate(z), xi = parse_coordinate(x), yi = parse_coordinate(y);
    if (!zi || !xi || !yi)
        return bad_request("Invalid tile coordinates: z, x and y must be non-negative integers");
    if (*zi > max_zoom)
        return bad_request("Invalid tile coordinates: zoom must be at most " + std::to_string(max_zoom));
    auto tile = geo::TileId::from_zxy(*zi, *xi, *yi, max_zoom);
    if (!tile) return bad_request("Invalid tile coordinates: x and y must be below 2^z");

    auto set = parse_layer_set(layers);
    if (!set) return set.error();
    auto filter = parse_crime_filter(params, snapshot);
    if (!filter) return filter.error();

    TileQuery q{*tile, std::move(*set), *filter, AreaKind::lsoa, {}, {}, 6};
    if (auto c = find_param(params, "cells")) {
        // Cells per tile side. 64 (the default) suits heat maps; a page that labels every cluster
        // with its count reads better with 16.
        if (*c == "8")
            q.cluster_cell_bits = 3;
        else if (*c == "16")
            q.cluster_cell_bits = 4;
        else if (*c == "32")
            q.cluster_cell_bits = 5;
        else if (*c == "64")
            q.cluster_cell_bits = 6;
        else
            return bad_request("Invalid cells: expected 8, 16, 32 or 64");
    }
    if (auto k = find_param(params, "kind")) {
        auto kind = area_kind_from_string(*k);
        if (!kind) return bad_request("Invalid kind: expected lsoa, msoa, ward, lad, pfa or neighbourhood");
        q.area_kind = *kind;
    }
    if (auto v = find_param(params, "indicator")) {
        if (!safe_token(*v)) return bad_request("Invalid indicator");
        q.indicator = *v;
    }
    if (auto v = find_param(params, "period")) {
        if (!safe_token(*v)) return bad_request("Invalid period");
        q.period = *v;
    }
    if (q.layers.contains(LayerKind::performance) && q.indicator.empty())
        return bad_request("Invalid indicator: the performance layer needs indicator=CODE");
    return q;
}

std::string TileQuery::cache_key() const {
    std::string key = layers.canonical();
    key += '/' + std::to_string(tile.z) + '/' + std::to_string(tile.x) + '/' + std::to_string(tile.y);
    if (layers.contains(LayerKind::crimes) || layers.contains(LayerKind::areas) ||
        layers.contains(LayerKind::stops)) {
        key += "?m=" + filter.months.from.str() + ".." + filter.months.to.str();
        key += "&c=" + filter.categories.to_string();
    }
    if ((layers.contains(LayerKind::crimes) || layers.contains(LayerKind::stops)) &&
        tile.z <= cluster_max_zoom)
        key += "&g=" + std::to_string(cluster_cell_bits);
    if (layers.contains(LayerKind::areas)) key += "&k=" + std::string(to_string(area_kind));
    if (layers.contains(LayerKind::performance)) key += "&i=" + indicator + "&p=" + period;
    return key;
}

}  // namespace crimemap::core
