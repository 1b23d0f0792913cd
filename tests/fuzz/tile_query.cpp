// libFuzzer harness: the tile request parser (core/tile_query.hpp) against a small snapshot, and
// the in-memory tile engine rendering what it accepts.
// Input: "layers\nz\nx\ny\nquery" (the query as in the URL, percent-encoded).
// Oracle: an accepted query, written back as canonical parameters (from, to, category slugs,
// cells, kind, indicator, period) by this harness, parses to the same cache key.
#include "core/tile_query.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/tile_engine.hpp"
#include "fuzz_support.hpp"
#include "server/http_types.hpp"

using crimemap::fuzz::fuzz_check;
namespace core = crimemap::core;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto snapshot = crimemap::testing::api_snapshot();
    static const auto renderer = core::make_memory_renderer();

    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> parts;
    for (int i = 0; i < 4; ++i) {
        auto nl = text.find('\n');
        if (nl == std::string_view::npos) return 0;
        parts.push_back(text.substr(0, nl));
        text.remove_prefix(nl + 1);
    }
    auto params = crimemap::server::parse_query(text);
    if (!params) return 0;

    auto q = core::parse_tile_query(parts[0], parts[1], parts[2], parts[3], *params, *snapshot);
    if (!q) {
        fuzz_check(q.error().code != core::ErrorCode::internal, "a parse error reported as internal");
        return 0;
    }
    const std::string key = q->cache_key();

    core::QueryParams canonical{{"from", q->filter.months.from.str()}, {"to", q->filter.months.to.str()}};
    std::string cats;
    for (std::size_t i = 0; i < core::category_count; ++i)
        if (q->filter.categories.test(i))
            cats += (cats.empty() ? "" : ",") + std::string(core::categories[i].slug);
    if (!cats.empty()) canonical.emplace_back("category", cats);
    canonical.emplace_back("cells", std::to_string(1 << q->cluster_cell_bits));
    canonical.emplace_back("kind", std::string(core::to_string(q->area_kind)));
    if (!q->indicator.empty()) canonical.emplace_back("indicator", q->indicator);
    if (!q->period.empty()) canonical.emplace_back("period", q->period);
    auto again =
        core::parse_tile_query(q->layers.canonical(), std::to_string(q->tile.z), std::to_string(q->tile.x),
                               std::to_string(q->tile.y), canonical, *snapshot);
    fuzz_check(static_cast<bool>(again), "the canonical form of an accepted query is refused", key);
    fuzz_check(again->cache_key() == key, "the canonical form has another cache key",
               key + " vs " + again->cache_key());

    // A category set with no bit set would mean "nothing": the parser must not produce it.
    fuzz_check(q->filter.categories.any(), "an empty category set", key);
    auto tile = renderer->render(*snapshot, *q);
    (void)tile;
    return 0;
}
