// postcodes.io-compatible routes: parse the path and query, ask core/postcode_api, map the reply.
// Every answer here goes through pcio_answer(): `filter=` on postcode results (routes that opt in)
// and JSONP for `callback=`, as postcodes.io's renderer does after its controllers.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "core/postcode.hpp"
#include "server/api_common.hpp"

namespace crimemap::server::api {

namespace {
using core::JsonReply;

// Callback names are identifiers and dotted paths only ("cb", "jQuery123_456", "app.handle"):
// nothing that could close the call or start another statement.
constexpr std::size_t callback_max = 64;
bool safe_callback(std::string_view name) {
    if (name.empty() || name.size() > callback_max) return false;
    auto letter = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '$';
    };
    if (!letter(name.front())) return false;
    for (char c : name.substr(1))
        if (!letter(c) && !(c >= '0' && c <= '9') && c != '.') return false;
    return true;
}

// The callback= name when the request asks for JSONP (an empty value does not, as in postcodes.io).
std::optional<std::string_view> callback_of(const Request& req) {
    auto cb = core::find_param(req.query, "callback");
    if (!cb || cb->empty()) return std::nullopt;
    return cb;
}

Response bad_callback() {
    return error_response(400, "Invalid JSONP callback name: use letters, digits, _, $ and .");
}

// A 200 JSON answer becomes `/**/ typeof cb === 'function' && cb({...});` (Express's res.jsonp
// form, which postcodes.io uses); errors stay JSON with their status, as postcodes.io's error
// renderer does. U+2028/U+2029 are escaped: valid in JSON, line terminators in older JavaScript.
Response with_callback(const Request& req, Response res) {
    auto cb = callback_of(req);
    if (!cb) return res;
    if (!safe_callback(*cb)) return bad_callback();
    if (res.status != 200) return res;
    std::string json;
    json.reserve(res.body.size());
    std::size_t end = res.body.size();  // without the JSON answers' final newline
    while (end > 0 && (res.body[end - 1] == '\n' || res.body[end - 1] == '\r')) --end;
    for (std::size_t i = 0; i < end; ++i) {
        if (res.body.compare(i, 3, "\xE2\x80\xA8") == 0 || res.body.compare(i, 3, "\xE2\x80\xA9") == 0) {
            json += res.body[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            json.push_back(res.body[i]);
        }
    }
    const std::string name(*cb);
    res.body = "/**/ typeof " + name + " === 'function' && " + name + "(" + json + ");";
    res.headers.set("Content-Type", "text/javascript; charset=utf-8");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

void apply_filter(const Request& req, JsonReply& r) {
    if (r.status != 200) return;
    auto filter = core::find_param(req.query, "filter");
    if (!filter || filter->empty()) return;
    if (auto it = r.body.find("result"); it != r.body.end()) core::filter_postcodes(*it, *filter);
}

// The answer cache key of a reverse geocode with default radius and limit: the query holds exactly
// `lon` and `lat`, each a whole number text (what core::reverse reads with strtod), keyed by the
// doubles' exact values, so "-2.7" and "-2.70" share an entry. nullopt: not cacheable.
std::optional<std::string> reverse_key(const core::QueryParams& q, std::string_view lon_name,
                                       std::string_view lat_name) {
    if (q.size() != 2) return std::nullopt;
    auto number = [](std::string_view text) -> std::optional<double> {
        if (text.empty() || text.size() > 32) return std::nullopt;
        const std::string s(text);
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
        return v;
    };
    auto lon = core::find_param(q, lon_name), lat = core::find_param(q, lat_name);
    if (!lon || !lat) return std::nullopt;
    auto x = number(*lon), y = number(*lat);
    if (!x || !y) return std::nullopt;
    char buf[80];
    std::snprintf(buf, sizeof buf, "rev|%a|%a", *x, *y);
    return std::string(buf);
}

enum class Filter { no, yes };

template <class F>
Response with_snapshot(ServerContext& ctx, const Request& req, Filter filter, F&& f) {
    if (auto cb = callback_of(req); cb && !safe_callback(*cb)) return bad_callback();
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    JsonReply r = f(*s);
    if (filter == Filter::yes) apply_filter(req, r);
    return with_callback(req, reply(req, s.get(), r));
}
}  // namespace

Response postcodes_query(ServerContext& ctx, const Request& req, const RouteParams&) {
    if (auto key = reverse_key(req.query, "lon", "lat")) {
        auto s = snapshot_with_api(ctx);
        if (!s) return unavailable();
        return cached_reply(ctx, req, *s, *key, cache_short, [&] {
            return core::reverse(*s, *core::find_param(req.query, "lon"), *core::find_param(req.query, "lat"),
                                 req.query);
        });
    }
    return with_snapshot(ctx, req, Filter::yes, [&](const core::Snapshot& s) -> JsonReply {
        const auto& q = req.query;
        auto lon = core::find_param(q, "lon"), lat = core::find_param(q, "lat");
        if (auto lo = core::find_param(q, "longitude"), la = core::find_param(q, "latitude"); lo && la) {
            lon = lo;
            lat = la;
        }
        if (lon && lat) return core::reverse(s, *lon, *lat, q);
        return core::search(s, q);
    });
}

Response postcodes_bulk(ServerContext& ctx, const Request& req, const RouteParams&) {
    return with_snapshot(ctx, req, Filter::yes,
                         [&](const core::Snapshot& s) { return core::bulk(s, req.body, req.query); });
}

Response postcode_lookup(ServerContext& ctx, const Request& req, const RouteParams& p) {
    // Without query parameters (filter=, callback= reshape it) the answer depends on the postcode
    // alone: served from the answer cache under its compact form.
    if (req.query.empty()) {
        // postcodes.io's shape test first, as core::lookup_postcode: then every spelling with
        // this compact form gets the same answer.
        auto text = p.get("postcode");
        if (auto pc = core::postcodes_io_shaped(text) ? core::parse_postcode(text) : std::nullopt) {
            auto s = snapshot_with_api(ctx);
            if (!s) return unavailable();
            return cached_reply(ctx, req, *s, "pc|" + pc->compact, cache_short,
                                [&] { return core::lookup_postcode(*s, text); });
        }
    }
    return with_snapshot(ctx, req, Filter::yes, [&](const core::Snapshot& s) {
        return core::lookup_postcode(s, p.get("postcode"));
    });
}

Response postcode_validate(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, Filter::no, [&](const core::Snapshot& s) {
        return core::validate_postcode(s, p.get("postcode"));
    });
}

Response postcode_nearest(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, Filter::yes, [&](const core::Snapshot& s) {
        return core::nearest_to_postcode(s, p.get("postcode"), req.query);
    });
}

Response postcode_autocomplete(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, Filter::no, [&](const core::Snapshot& s) {
        return core::autocomplete(s, p.get("postcode"), req.query);
    });
}

Response postcode_lonlat(ServerContext& ctx, const Request& req, const RouteParams& p) {
    if (req.query.empty()) {
        const core::QueryParams point{{"lon", std::string(p.get("lon"))}, {"lat", std::string(p.get("lat"))}};
        if (auto key = reverse_key(point, "lon", "lat")) {
            auto s = snapshot_with_api(ctx);
            if (!s) return unavailable();
            return cached_reply(ctx, req, *s, *key, cache_short,
                                [&] { return core::reverse(*s, p.get("lon"), p.get("lat"), req.query); });
        }
    }
    return with_snapshot(ctx, req, Filter::yes, [&](const core::Snapshot& s) {
        return core::reverse(s, p.get("lon"), p.get("lat"), req.query);
    });
}

Response outcode_lookup(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, Filter::no,
                         [&](const core::Snapshot& s) { return core::lookup_outcode(s, p.get("outcode")); });
}

Response outcodes_query(ServerContext& ctx, const Request& req, const RouteParams&) {
    return with_snapshot(ctx, req, Filter::no,
                         [&](const core::Snapshot& s) { return core::reverse_outcodes(s, req.query); });
}

Response outcode_nearest(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, Filter::no, [&](const core::Snapshot& s) {
        return core::nearest_outcodes(s, p.get("outcode"), req.query);
    });
}

Response random_postcode(ServerContext& ctx, const Request& req, const RouteParams&) {
    if (auto cb = callback_of(req); cb && !safe_callback(*cb)) return bad_callback();
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    thread_local std::mt19937_64 rng{std::random_device{}()};
    auto r = core::random_postcode(*s, req.query, rng());
    apply_filter(req, r);
    return with_callback(req, json_response(r.status, r.body, cache_none));
}

Response terminated_lookup(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, Filter::no, [&](const core::Snapshot& s) {
        return core::lookup_terminated(s, p.get("postcode"));
    });
}

Response ping(ServerContext&, const Request& req, const RouteParams&) {
    // Answers without data: it says the process serves, as postcodes.io's /ping does.
    return with_callback(req, json_response(200, core::json_ok("pong").body, cache_none));
}

// Places and Scottish postcodes: not in our data; postcodes.io's answers without it.
Response places_query(ServerContext& ctx, const Request& req, const RouteParams&) {
    return with_snapshot(ctx, req, Filter::no,
                         [&](const core::Snapshot&) { return core::search_places(req.query); });
}

Response place_lookup(ServerContext& ctx, const Request& req, const RouteParams&) {
    return with_snapshot(ctx, req, Filter::no, [](const core::Snapshot&) { return core::lookup_place(); });
}

Response random_place(ServerContext& ctx, const Request& req, const RouteParams&) {
    return with_snapshot(ctx, req, Filter::no, [](const core::Snapshot&) { return core::random_place(); });
}

Response scottish_postcode(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, Filter::no, [&](const core::Snapshot& s) {
        return core::lookup_scottish_postcode(s, p.get("postcode"));
    });
}

}  // namespace crimemap::server::api
