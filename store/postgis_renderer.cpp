#include "store/postgis_renderer.hpp"

#include <algorithm>
#include <cstdio>

#include "core/snapshot.hpp"
#include "store/pg.hpp"

namespace crimemap::store {
namespace {

std::string first_day(core::Month m) { return m.str() + "-01"; }

// NULL = all categories, else a text[] literal of slugs (slugs are [a-z-], no quoting needed).
std::optional<std::string> categories_param(const core::CrimeFilter& f) {
    if (f.all_categories()) return std::nullopt;
    std::string out = "{";
    for (std::size_t i = 0; i < core::category_count; ++i) {
        if (!f.categories.test(i)) continue;
        if (out.size() > 1) out += ',';
        out += core::categories[i].slug;
    }
    return out + "}";
}

class PostgisRenderer final : public core::TileRenderer {
  public:
    explicit PostgisRenderer(PoolOptions options) : pool_(std::move(options)) {}
    std::string_view name() const override { return "postgis"; }
    bool blocking() const override { return true; }

    core::Result<core::RenderedTile> render(const core::Snapshot&, const core::TileQuery& q) override {
        if (q.layers.contains(core::LayerKind::performance))
            return core::bad_request("Invalid layers: performance is served by the memory engine only");
        const Params common{std::to_string(q.tile.z), std::to_string(q.tile.x), std::to_string(q.tile.y)};
        core::RenderedTile out;
        try {
            pool_.with([&](Connection& conn) {
                for (core::LayerKind kind : q.layers.kinds) {
                    Params p = common;
                    std::string sql;
                    if (kind == core::LayerKind::stops || kind == core::LayerKind::labels) {
                        sql =
                            kind == core::LayerKind::stops
                                ? "SELECT crimemap_stops_mvt($1::int, $2::int, $3::int, $4::date, $5::date, "
                                  "$6::int)"
                                : "SELECT crimemap_labels_mvt($1::int, $2::int, $3::int)";
                        if (kind == core::LayerKind::stops) {
                            p.push_back(first_day(q.filter.months.from));
                            p.push_back(first_day(q.filter.months.to));
                            p.push_back(std::to_string(q.cluster_cell_bits));
                        }
                        out.mvt.append(conn.query_binary(sql, p).text(0, 0));
                        continue;
                    }
                    if (kind == core::LayerKind::crimes) {
                        sql =
                            "SELECT crimemap_crimes_mvt($1::int, $2::int, $3::int, $4::date, $5::date, "
                            "$6::text[], $7::int)";
                    } else {
                        sql =
                            "SELECT crimemap_areas_mvt($1::int, $2::int, $3::int, $7::text, $4::date, "
                            "$5::date, $6::text[])";
                    }
                    p.push_back(first_day(q.filter.months.from));
                    p.push_back(first_day(q.filter.months.to));
                    p.push_back(categories_param(q.filter));
                    if (kind == core::LayerKind::areas)
                        p.push_back(std::string(core::to_string(q.area_kind)));
                    else
                        p.push_back(std::to_string(q.cluster_cell_bits));
                    auto rows = conn.query_binary(sql, p);
                    // A tile is a sequence of layer fields, so layer tiles concatenate into one tile.
                    out.mvt.append(rows.text(0, 0));
                }
            });
        } catch (const PgError& e) {
            // The SQL error goes to the log, not to the client: it names tables and functions.
            char where[96];
            std::snprintf(where, sizeof where, "postgis engine: tile %d/%u/%u", static_cast<int>(q.tile.z),
                          q.tile.x, q.tile.y);
            auto error = ConnectionPool::to_database_error(where, e);
            std::fprintf(stderr, "%s\n", error.what());
            return core::to_error(error);
        }
        return out;
    }

  private:
    ConnectionPool pool_;
};

}  // namespace

std::unique_ptr<core::TileRenderer> make_postgis_renderer(PoolOptions options) {
    return std::make_unique<PostgisRenderer>(std::move(options));
}

std::unique_ptr<core::TileRenderer> make_postgis_renderer(const std::string& database_url, int connections) {
    PoolOptions o;
    o.url = database_url;
    o.max_connections = static_cast<std::size_t>(std::max(1, connections));
    o.statement_timeout = std::chrono::seconds(30);
    o.acquire_timeout = std::chrono::seconds(30);
    o.application_name = "crimemapd-tiles";
    return make_postgis_renderer(std::move(o));
}

}  // namespace crimemap::store
