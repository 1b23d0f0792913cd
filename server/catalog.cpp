// GET /catalog: what this server can serve — layers and their fields, months with data, area
// kinds, indicators, the dataset version. Computed once per snapshot.
#include <set>

#include "core/area.hpp"
#include "core/category.hpp"
#include "core/layers.hpp"
#include "core/snapshot.hpp"
#include "server/handlers.hpp"
#include "server/response.hpp"
#include "server/tile_cache.hpp"

namespace crimemap::server {

namespace {
std::string build_catalog(const core::Snapshot& s, const TileArchives* archives) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& spec : core::layer_specs()) {
        nlohmann::json fields = nlohmann::json::array();
        for (const auto& f : core::all_fields(spec.kind)) {
            nlohmann::json field{{"name", f.name},
                                 {"type", core::type_name(f.type)},
                                 {"description", f.description},
                                 {"always", f.always}};
            // Only fields limited to some zooms name them (crimes: location and location_id from z14).
            if (f.minzoom > spec.minzoom) field["minzoom"] = f.minzoom;
            if (f.maxzoom < spec.maxzoom) field["maxzoom"] = f.maxzoom;
            fields.push_back(std::move(field));
        }
        nlohmann::json layer{{"name", spec.name},
                             {"description", spec.description},
                             {"minzoom", spec.minzoom},
                             {"maxzoom", spec.maxzoom},
                             {"fields", std::move(fields)},
                             {"tilejson", "/tiles/" + std::string(spec.name) + ".json"},
                             {"tiles", "/tiles/" + std::string(spec.name) + "/{z}/{x}/{y}.mvt"}};
        // The page draws clusters up to cluster_maxzoom and snap points from point_minzoom.
        if (spec.cluster_maxzoom >= 0) {
            layer["cluster_maxzoom"] = spec.cluster_maxzoom;
            layer["point_minzoom"] = spec.cluster_maxzoom + 1;
        }
        layers.push_back(std::move(layer));
    }

    // Months that have at least one crime (located or counted in an area).
    std::set<int> month_offsets;
    for (const auto& r : s.records)
        if (r.crimes > 0) month_offsets.insert(r.month);
    for (const auto& a : s.areas)
        for (const auto& c : a.counts)
            if (c.crimes > 0) month_offsets.insert(c.month);
    nlohmann::json months = nlohmann::json::array();
    for (int m : month_offsets) months.push_back(s.first_month.plus(m).str());

    nlohmann::json categories = nlohmann::json::array();
    for (const auto& c : core::categories) categories.push_back({{"slug", c.slug}, {"name", c.name}});

    nlohmann::json kinds = nlohmann::json::array();
    for (auto kind : core::all_area_kinds)
        kinds.push_back({{"kind", core::to_string(kind)},
                         {"areas", s.areas_by_kind[static_cast<std::size_t>(kind)].size()}});

    nlohmann::json indicators = nlohmann::json::array();
    std::vector<const core::IndicatorSeries*> series;
    for (const auto& [code, ind] : s.indicators) series.push_back(&ind);
    std::sort(series.begin(), series.end(), [](auto* a, auto* b) { return a->code < b->code; });
    for (const auto* ind : series)
        indicators.push_back({{"code", ind->code},
                              {"name", ind->name},
                              {"unit", ind->unit},
                              {"polarity", core::to_string(ind->polarity)},
                              {"higher_is_better", ind->polarity == core::Polarity::neutral
                                                       ? nlohmann::json(nullptr)
                                                       : nlohmann::json(ind->higher_is_better())},
                              {"periods", ind->periods}});

    // Static PMTiles archives (crimemapd --tiles): fixed exports, read with the pmtiles protocol.
    nlohmann::json archive_list = nlohmann::json::array();
    if (archives)
        for (const auto& name : archives->names())
            archive_list.push_back({{"name", name}, {"url", "/archives/" + name}, {"format", "pmtiles"}});
    nlohmann::json body{
        {"dataset_version", s.version},
        {"created_at", iso8601(s.created_at)},
        {"loaded_at", iso8601(s.loaded_at)},
        {"months", std::move(months)},  // every month with data, ascending
        {"first_month", s.first_month.str()},
        {"last_month", s.last_month.str()},
        {"crimes", {{"located", s.located_crimes}, {"unlocated", s.unlocated_crimes}}},
        {"bounds", {s.min_lonlat.lon, s.min_lonlat.lat, s.max_lonlat.lon, s.max_lonlat.lat}},
        // 99% of the data: where a map should open (bounds also covers the few outlying crimes).
        {"focus_bounds",
         {s.focus_min_lonlat.lon, s.focus_min_lonlat.lat, s.focus_max_lonlat.lon, s.focus_max_lonlat.lat}},
        {"openapi", "/openapi.json"},  // the OpenAPI 3.1 description of every route
        {"archives", std::move(archive_list)},
        {"basemap",
         archives && archives->basemap() ? nlohmann::json("/basemap.pmtiles") : nlohmann::json(nullptr)},
        {"layers", std::move(layers)},
        {"categories", std::move(categories)},
        {"area_kinds", std::move(kinds)},
        {"indicators", std::move(indicators)},
        {"filters",
         {{"from", "first month YYYY-MM (default: to)"},
          {"to", "last month YYYY-MM (default: the latest month)"},
          {"category", "comma-separated category slugs (default: all)"},
          {"cells",
           "crimes and stops layers z0-13: cluster cells per tile side, 8, 16, 32 or 64 (default 64)"},
          {"kind", "areas layer: lsoa, msoa, ward, lad, pfa or neighbourhood (default lsoa)"},
          {"indicator", "performance layer: indicator code"},
          {"period", "performance layer: period (default: the latest)"}}},
        {"attribution",
         "Contains public sector information licensed under the Open Government Licence v3.0. Contains OS "
         "data "
         "\u00a9 Crown copyright and database right. Contains ONS data \u00a9 Crown copyright and database "
         "right."},
    };
    std::string out = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.push_back('\n');
    return out;
}
}  // namespace

Response handle_catalog(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto snapshot = ctx.snapshot();
    if (!snapshot) return error_response(503, "Snapshot not loaded yet");
    auto body =
        ctx.memo("catalog", snapshot.get(), [&] { return build_catalog(*snapshot, ctx.archives().get()); });
    const std::string etag = make_etag(*body);
    Response res;
    if (not_modified(req, etag, cache_short, res)) return res;
    res.status = 200;
    res.headers.set("Content-Type", json_content_type);
    res.headers.set("Cache-Control", cache_short);
    res.headers.set("ETag", etag);
    res.body = *body;
    return res;
}

}  // namespace crimemap::server
