#pragma once
// A tile request parsed into typed values (parse, don't validate). Every handler that serves
// tiles goes through parse_tile_query; the cache key is derived from the parsed value.
#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/area.hpp"
#include "core/category.hpp"
#include "core/error.hpp"
#include "core/layers.hpp"
#include "core/month.hpp"
#include "core/query_params.hpp"
#include "geo/tile.hpp"

namespace crimemap::core {

struct Snapshot;

struct CrimeFilter {
    MonthRange months;                       // resolved: default is the snapshot's latest month
    std::bitset<category_count> categories;  // all set when no category= was given
    bool all_categories() const { return categories.all(); }
};

struct TileQuery {
    geo::TileId tile;
    LayerSet layers;
    CrimeFilter filter;
    AreaKind area_kind = AreaKind::lsoa;  // for the areas layer (?kind=)
    std::string indicator;                // for the performance layer (?indicator=)
    std::string period;                   // for the performance layer (?period=), empty = latest
    int cluster_cell_bits = 6;            // crimes z0-13: 2^bits cells per tile side (?cells=8|16|32|64)
    std::string cache_key() const;        // canonical: layers/z/x/y?filters (no dataset version)
};

// Parses from=YYYY-MM, to=YYYY-MM, category=slug[,slug] against the snapshot's months.
// Errors name the parameter: "Invalid from: expected YYYY-MM".
Result<CrimeFilter> parse_crime_filter(const QueryParams& params, const Snapshot& snapshot);

// layers: "crimes,areas"; z, x, y: the path segments as text (y without extension).
Result<TileQuery> parse_tile_query(std::string_view layers, std::string_view z, std::string_view x,
                                   std::string_view y, const QueryParams& params, const Snapshot& snapshot);

}  // namespace crimemap::core
