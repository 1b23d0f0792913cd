#pragma once
// Shared helpers for the server unit tests: a small hand-built snapshot, a fake renderer and
// request builders. Header-only; each server_*_test.cpp is its own executable.
#include <atomic>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/snapshot_builder.hpp"
#include "core/tile_renderer.hpp"
#include "server/http_types.hpp"

namespace crimemap::server::testing {

// Two months (2019-01..2019-02) of crimes at three Hereford locations and one square "LSOA".
inline std::shared_ptr<const core::Snapshot> small_snapshot(std::int64_t version) {
    using core::Month;
    core::SnapshotBuilder b(version, Month::from_year_month(2019, 1), Month::from_year_month(2019, 2));
    b.add_location(1, {-2.7160, 52.0565}, "On or near High Town");
    b.add_location(2, {-2.7190, 52.0540}, "On or near Broad Street");
    b.add_location(3, {-2.7000, 52.0600}, "On or near Commercial Road");
    auto burglary = *core::category_from_slug("burglary");
    auto asb = *core::category_from_slug("anti-social-behaviour");
    b.add_crimes(1, Month::from_year_month(2019, 1), burglary, 2);
    b.add_crimes(1, Month::from_year_month(2019, 2), asb, 3);
    b.add_crimes(2, Month::from_year_month(2019, 2), burglary, 1);
    b.add_crimes(3, Month::from_year_month(2019, 2), asb, 4);
    geo::LonLatMultiPolygon square{
        {{{-2.73, 52.05}, {-2.69, 52.05}, {-2.69, 52.07}, {-2.73, 52.07}, {-2.73, 52.05}}}};
    b.add_area(core::AreaKind::lsoa, "E01013999", "Herefordshire 999Z", 1500, square);
    b.add_area_count(core::AreaKind::lsoa, "E01013999", Month::from_year_month(2019, 2), burglary, 1);
    b.add_area_count(core::AreaKind::lsoa, "E01013999", Month::from_year_month(2019, 2), asb, 7);
    return b.finish();
}

// Renders "fake:<version>:<cache key>" padded to a compressible size; z=1 tiles are empty; tile
// 2/0/0 fails with a not_found error; 2/1/1 throws.
class FakeRenderer : public core::TileRenderer {
  public:
    std::string_view name() const override { return "fake"; }
    core::Result<core::RenderedTile> render(const core::Snapshot& s, const core::TileQuery& q) override {
        calls.fetch_add(1);
        if (q.tile.z == 2 && q.tile.x == 0 && q.tile.y == 0) return core::not_found("Nothing here");
        if (q.tile.z == 2 && q.tile.x == 1 && q.tile.y == 1) throw std::runtime_error("renderer exploded");
        core::RenderedTile t;
        if (q.tile.z == 1) return t;
        t.mvt = "fake:" + std::to_string(s.version) + ":" + q.cache_key();
        t.mvt += std::string(2000, 'x');
        t.features = 1;
        t.coarsened = q.tile.z == 3;
        return t;
    }
    std::atomic<int> calls{0};
};

inline Request request(Method method, const std::string& target,
                       std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
    auto r = make_request(method, target);
    if (!r) throw std::invalid_argument("bad target " + target);
    for (const auto& [k, v] : headers) r->headers.add(k, v);
    return *r;
}

inline Request get(const std::string& target,
                   std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
    return request(Method::get, target, headers);
}

inline std::string header(const Response& res, std::string_view name) {
    auto v = res.headers.get(name);
    return v ? std::string(*v) : std::string();
}

}  // namespace crimemap::server::testing
