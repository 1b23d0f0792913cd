#include "store/postgis_renderer.hpp"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <vector>

#include "core/snapshot.hpp"
#include "store/pg.hpp"

namespace crimemap::store {
namespace {

// A fixed set of connections handed out one request at a time.
class ConnectionPool {
public:
    ConnectionPool(const std::string& url, int size) {
        for (int i = 0; i < size; ++i) free_.push_back(std::make_unique<Connection>(url));
    }
    class Lease {
    public:
        Lease(ConnectionPool& pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
        ~Lease() { pool_.give_back(std::move(c_)); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Connection& operator*() { return *c_; }

    private:
        ConnectionPool& pool_;
        std::unique_ptr<Connection> c_;
    };
    Lease take() {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !free_.empty(); });
        auto c = std::move(free_.back());
        free_.pop_back();
        return Lease(*this, std::move(c));
    }

private:
    void give_back(std::unique_ptr<Connection> c) {
        {
            std::lock_guard lock(mutex_);
            free_.push_back(std::move(c));
        }
        ready_.notify_one();
    }
    std::mutex mutex_;
    std::condition_variable ready_;
    std::vector<std::unique_ptr<Connection>> free_;
};

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
    PostgisRenderer(const std::string& url, int connections) : pool_(url, connections) {}
    std::string_view name() const override { return "postgis"; }

    core::Result<core::RenderedTile> render(const core::Snapshot&, const core::TileQuery& q) override {
        if (q.layers.contains(core::LayerKind::performance))
            return core::bad_request("Invalid layers: performance is served by the memory engine only");
        auto conn = pool_.take();
        const Params common{std::to_string(q.tile.z), std::to_string(q.tile.x), std::to_string(q.tile.y)};
        core::RenderedTile out;
        try {
            for (core::LayerKind kind : q.layers.kinds) {
                Params p = common;
                std::string sql;
                if (kind == core::LayerKind::crimes) {
                    sql = "SELECT crimemap_crimes_mvt($1::int, $2::int, $3::int, $4::date, $5::date, $6::text[], $7::int)";
                } else {
                    sql = "SELECT crimemap_areas_mvt($1::int, $2::int, $3::int, $7::text, $4::date, $5::date, $6::text[])";
                }
                p.push_back(first_day(q.filter.months.from));
                p.push_back(first_day(q.filter.months.to));
                p.push_back(categories_param(q.filter));
                if (kind == core::LayerKind::areas) p.push_back(std::string(core::to_string(q.area_kind)));
                else p.push_back(std::to_string(q.cluster_cell_bits));
                auto rows = (*conn).query_binary(sql, p);
                // A tile is a sequence of layer fields, so layer tiles concatenate into one tile.
                out.mvt.append(rows.text(0, 0));
            }
        } catch (const PgError& e) {
            // The SQL error goes to the log, not to the client: it names tables and functions.
            std::fprintf(stderr, "postgis engine: tile %d/%u/%u failed: %s\n", static_cast<int>(q.tile.z), q.tile.x, q.tile.y, e.what());
            return core::Error{core::ErrorCode::unavailable, "The reference tile engine failed; see the server log"};
        }
        return out;
    }

private:
    ConnectionPool pool_;
};

}  // namespace

std::unique_ptr<core::TileRenderer> make_postgis_renderer(const std::string& database_url, int connections) {
    return std::make_unique<PostgisRenderer>(database_url, connections);
}

}  // namespace crimemap::store
