// GET /health (the process runs), /ready (a snapshot is loaded), /metrics (Prometheus text).
#include <chrono>

#include "core/snapshot.hpp"
#include "server/handlers.hpp"
#include "server/response.hpp"

namespace crimemap::server {

namespace {
double seconds_since(std::chrono::system_clock::time_point t) {
    if (t.time_since_epoch().count() == 0) return 0;
    return std::chrono::duration<double>(std::chrono::system_clock::now() - t).count();
}

void gauge(std::string& out, std::string_view name, std::string_view help, double value,
           std::string_view type = "gauge") {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    // Prometheus text format: # HELP, # TYPE, then the sample.
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    out.append(name).append(" ").append(buf).append("\n");
}

// The six series of one ByteCache (tile cache, answer cache): crimemap_<cache>_cache_*.
template <class Stats>
void cache_gauges(std::string& out, const std::string& cache, const std::string& held, const Stats& st) {
    const std::string prefix = "crimemap_" + cache + "_cache_";
    gauge(out, prefix + "hits_total", "Hits of the " + cache + " cache.", static_cast<double>(st.hits),
          "counter");
    gauge(out, prefix + "misses_total", "Misses of the " + cache + " cache.", static_cast<double>(st.misses),
          "counter");
    gauge(out, prefix + "evictions_total", held + " evicted to stay within the byte budget.",
          static_cast<double>(st.evictions), "counter");
    gauge(out, prefix + "bytes", "Bytes held by the " + cache + " cache.", static_cast<double>(st.bytes));
    gauge(out, prefix + "entries", held + " held by the " + cache + " cache.",
          static_cast<double>(st.entries));
    gauge(out, prefix + "max_bytes", "Byte budget of the " + cache + " cache.",
          static_cast<double>(st.max_bytes));
}
}  // namespace

Response handle_health(ServerContext& ctx, const Request&, const RouteParams&) {
    double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started()).count();
    return json_response(200, {{"status", "ok"}, {"uptime_seconds", uptime}});
}

Response handle_ready(ServerContext& ctx, const Request&, const RouteParams&) {
    auto snapshot = ctx.snapshot();
    if (!snapshot) {
        Response res = error_response(503, "Snapshot not loaded: " + ctx.status_message());
        res.headers.set("Retry-After", "5");
        return res;
    }
    auto renderer = ctx.renderer();
    if (!renderer) return error_response(503, "Tile engine not ready: " + ctx.status_message());
    // Ready as long as a snapshot serves; `message` tells when a newer version failed to load
    // ("serving dataset version 3; version 4 failed: ...") or the database is unreachable.
    return json_response(200, {{"status", "ready"},
                               {"message", ctx.status_message()},
                               {"failed_version", ctx.failed_version() ? nlohmann::json(ctx.failed_version())
                                                                       : nlohmann::json()},
                               {"dataset_version", snapshot->version},
                               {"created_at", iso8601(snapshot->created_at)},
                               {"loaded_at", iso8601(snapshot->loaded_at)},
                               {"first_month", snapshot->first_month.str()},
                               {"last_month", snapshot->last_month.str()},
                               {"located_crimes", snapshot->located_crimes},
                               {"unlocated_crimes", snapshot->unlocated_crimes},
                               {"areas", snapshot->areas.size()},
                               {"engine", renderer->name()}});
}

Response handle_metrics(ServerContext& ctx, const Request&, const RouteParams&) {
    std::string out;
    out.reserve(8192);
    ctx.metrics().write(out);

    cache_gauges(out, "tile", "Tiles", ctx.cache().stats());
    cache_gauges(out, "answer", "Answers (postcode, reverse geocode, summary)", ctx.answers().stats());

    auto snapshot = ctx.snapshot();
    gauge(out, "crimemap_snapshot_loaded", "1 when a snapshot is loaded and served.", snapshot ? 1 : 0);
    if (snapshot) {
        gauge(out, "crimemap_snapshot_version", "Dataset version of the served snapshot.",
              static_cast<double>(snapshot->version));
        gauge(out, "crimemap_snapshot_age_seconds", "Seconds since the served snapshot was loaded.",
              seconds_since(snapshot->loaded_at));
        gauge(out, "crimemap_dataset_age_seconds",
              "Seconds since the served dataset version was created by refresh.",
              seconds_since(snapshot->created_at));
        gauge(out, "crimemap_snapshot_located_crimes", "Located crimes in the served snapshot.",
              static_cast<double>(snapshot->located_crimes));
        gauge(out, "crimemap_snapshot_areas", "Areas in the served snapshot.",
              static_cast<double>(snapshot->areas.size()));
    }
    gauge(out, "crimemap_snapshot_failed_version",
          "Dataset version that failed to load and awaits a retry with backoff (0: none); failures are "
          "counted in "
          "crimemap_snapshot_reloads_total{outcome=\"failed\"}.",
          static_cast<double>(ctx.failed_version()));
    gauge(out, "crimemap_uptime_seconds", "Seconds since the process started.",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started()).count());

    Response res;
    res.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    res.headers.set("Cache-Control", cache_none);
    res.body = std::move(out);
    return res;
}

}  // namespace crimemap::server
