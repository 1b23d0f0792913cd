#include "core/postcode_api.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "core/json_input.hpp"
#include "core/postcode.hpp"

namespace crimemap::core {

namespace pcio {
const std::string invalid_json =
    "Invalid JSON submitted.\nYou need to submit a JSON object with an array of postcodes or geolocation "
    "objects.\n"
    "Also ensure that Content-Type is set to application/json\n";
const std::string invalid_json_query =
    "Invalid JSON query submitted. \nYou need to submit a JSON object with an array of postcodes or "
    "geolocation "
    "objects.\nAlso ensure that Content-Type is set to application/json\n";
const std::string too_many_postcodes = "Too many postcodes submitted. Up to " + std::to_string(bulk_max) +
                                       " postcodes can be bulk requested at a time";
const std::string too_many_geolocations = "Too many locations submitted. Up to " + std::to_string(bulk_max) +
                                          " locations can be bulk requested at a time";
}  // namespace pcio

JsonReply json_ok(nlohmann::json result) {
    return {200, nlohmann::json{{"status", 200}, {"result", std::move(result)}}};
}
JsonReply json_error(int status, std::string_view message) {
    return {status, nlohmann::json{{"status", status}, {"error", message}}};
}

namespace {
using nlohmann::json;

const ApiData* api_of(const Snapshot& s) { return s.api.get(); }

json name_or_null(const ApiData& api, std::string_view code) {
    if (code.empty()) return nullptr;
    auto n = api.name_of(code);
    if (n.empty()) return nullptr;
    return n;
}

// JavaScript's parseFloat / parseInt: leading whitespace, then the longest numeric prefix.
std::optional<double> parse_float(std::string_view text) {
    std::string s(text.substr(0, 64));
    const char* begin = s.c_str();
    char* end = nullptr;
    double v = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(v)) return std::nullopt;
    return v;
}
std::optional<long long> parse_int(std::string_view text) {
    std::string s(text.substr(0, 64));
    const char* begin = s.c_str();
    char* end = nullptr;
    long long v = std::strtoll(begin, &end, 10);
    if (end == begin) return std::nullopt;
    return v;
}

std::string yyyymm(std::int32_t month_index) {
    auto m = Month::from_index(month_index);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d%02d", m.year(), m.month());
    return buf;
}

struct NearestOptions {
    double lon = 0, lat = 0;
    double radius = pcio::radius_default;
    std::size_t limit = pcio::limit_default;
    bool widesearch = false;
};

// Reads limit/radius/widesearch like postcodes.io: unparsable -> error, too large -> clamped.
std::optional<JsonReply> read_limit_radius(const json& limit, const json& radius, NearestOptions& o,
                                           std::size_t limit_max = pcio::limit_max,
                                           double radius_max = pcio::radius_max) {
    auto text = [](const json& v) -> std::optional<std::string> {
        if (v.is_null()) return std::nullopt;
        if (v.is_string()) return v.get<std::string>();
        if (v.is_number()) return v.dump();
        if (v.is_boolean()) return std::string("x");
        return std::string("x");
    };
    if (auto t = text(limit); t && !t->empty()) {
        auto v = parse_int(*t);
        if (!v || *v < 1) return json_error(400, pcio::invalid_limit);
        o.limit = static_cast<std::size_t>(std::min<long long>(*v, static_cast<long long>(limit_max)));
    }
    if (auto t = text(radius); t && !t->empty()) {
        auto v = parse_float(*t);
        if (!v || *v < 0) return json_error(400, pcio::invalid_radius);
        o.radius = std::min(*v, radius_max);
    }
    return std::nullopt;
}

json param_json(const QueryParams& params, std::string_view name) {
    if (auto v = find_param(params, name)) return std::string(*v);
    return nullptr;
}
bool truthy_param(const QueryParams& params, std::string_view name) {
    auto v = find_param(params, name);
    return v && !v->empty() && *v != "false" && *v != "0";
}

json nearest_result(const Snapshot& s, const NearestOptions& o) {
    const auto& idx = s.api->postcodes;
    auto radius = o.widesearch ? pcio::widesearch_radius : o.radius;
    auto limit = o.widesearch ? std::min(o.limit, pcio::widesearch_limit) : o.limit;
    auto found = idx.nearest(o.lon, o.lat, radius, limit);
    if (found.empty()) return nullptr;
    json out = json::array();
    for (const auto& f : found) out.push_back(postcode_json(s, idx.records()[f.index], f.distance));
    return out;
}

bool valid_lonlat(double lon, double lat) { return std::abs(lon) <= 180 && std::abs(lat) <= 90; }

JsonReply unavailable() { return json_error(503, "Postcode data not loaded yet"); }

// A postcode as postcodes.io accepts it: its shape test first, then our normalisation.
std::optional<Postcode> parse_pcio(std::string_view text) {
    if (!postcodes_io_shaped(text)) return std::nullopt;
    return parse_postcode(text);
}

bool js_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool ascii_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

json filter_object(const json& obj, const std::vector<std::string>& names) {
    json out = json::object();
    for (const auto& n : names)
        if (auto it = obj.find(n); it != obj.end()) out[n] = *it;
    return out;
}

std::string too_many_results(std::size_t locations, std::size_t results) {
    return "Too many results requested: " + std::to_string(locations) + " geolocations ask for up to " +
           std::to_string(results) + " postcodes; at most " + std::to_string(pcio::bulk_max_results) +
           " per request (lower limit or send fewer geolocations)";
}

}  // namespace

bool postcodes_io_shaped(std::string_view text) {
    // /^[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}$/i on the trimmed text, written out by hand.
    while (!text.empty() && js_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && js_space(text.back())) text.remove_suffix(1);
    if (text.size() < 5) return false;
    // Inward code: digit + two letters at the end.
    const auto n = text.size();
    if (!ascii_digit(text[n - 3]) || !ascii_alpha(text[n - 2]) || !ascii_alpha(text[n - 1])) return false;
    std::string_view out = text.substr(0, n - 3);
    while (!out.empty() && js_space(out.back())) out.remove_suffix(1);
    // Outward code: 1-2 letters, a digit, optionally one letter or digit.
    std::size_t i = 0;
    while (i < out.size() && i < 2 && ascii_alpha(out[i])) ++i;
    if (i == 0 || i >= out.size() || !ascii_digit(out[i])) return false;
    ++i;
    if (i < out.size() && (ascii_alpha(out[i]) || ascii_digit(out[i]))) ++i;
    return i == out.size();
}

void filter_postcodes(json& result, std::string_view filter) {
    std::vector<std::string> names;
    std::string cur;
    for (char c : filter.substr(0, 1024)) {
        if (js_space(c)) continue;
        if (c == ',') {
            names.push_back(std::move(cur));
            cur.clear();
            continue;
        }
        cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    names.push_back(std::move(cur));
    auto one = [&](json& v) {
        if (v.is_object()) v = filter_object(v, names);
    };
    if (result.is_object()) return one(result);
    if (!result.is_array()) return;
    for (auto& item : result) {
        // Bulk answers wrap each result as {query, result}; postcode objects have no "query" key.
        if (item.is_object() && item.contains("query") && item.contains("result")) {
            auto& r = item["result"];
            if (r.is_array())
                for (auto& x : r) one(x);
            else
                one(r);
        } else {
            one(item);
        }
    }
}

json neighbourhood_json(const Snapshot& s, geo::LonLat where) {
    if (!s.api) return nullptr;
    const auto* area = s.api->area_index[static_cast<std::size_t>(AreaKind::neighbourhood)].locate(s, where);
    if (!area) return nullptr;
    auto slash = area->code.find('/');
    if (slash == std::string::npos) return nullptr;
    return json{
        {"force", area->code.substr(0, slash)}, {"id", area->code.substr(slash + 1)}, {"name", area->name}};
}

json postcode_json(const Snapshot& s, const PostcodeRecord& r, std::optional<double> distance) {
    const auto& api = *s.api;
    const auto& idx = s.api->postcodes;
    auto code = [&](PcCode c) { return idx.code(r, c); };
    auto name = [&](PcCode c) { return name_or_null(api, code(c)); };
    // codes.* as postcodes.io writes them: the directory's value, the pseudo code it gave
    // (E99999999, the country's letter) where it had no area, null when it had no column.
    auto raw_code = [&](PcCode c) -> json {
        if (auto v = code(c); !v.empty()) return v;
        if (!r.pseudo_code(c)) return nullptr;
        auto country = code(PcCode::country);
        return std::string(1, country.empty() ? 'E' : country[0]) + "99999999";
    };
    auto keyed = [&](std::string_view kind, PcCode c) -> json {
        auto v = api.keyed_value(kind, code(c));
        return v.empty() ? json(nullptr) : json(v);
    };
    json j;
    j["postcode"] = r.display();
    j["quality"] = r.quality;
    j["eastings"] = r.eastings == PostcodeRecord::none ? json(nullptr) : json(r.eastings);
    j["northings"] = r.northings == PostcodeRecord::none ? json(nullptr) : json(r.northings);
    j["country"] = name(PcCode::country);
    j["nhs_ha"] = name(PcCode::nhs_ha);
    j["longitude"] = r.located() ? json(r.lon()) : json(nullptr);
    j["latitude"] = r.located() ? json(r.lat()) : json(nullptr);
    j["european_electoral_region"] = name(PcCode::eer);
    j["primary_care_trust"] = name(PcCode::pct);
    j["region"] = name(PcCode::region);
    j["lsoa"] = name(PcCode::lsoa);
    j["msoa"] = name(PcCode::msoa);
    j["incode"] = r.incode();
    j["outcode"] = r.outcode();
    j["parliamentary_constituency"] = name(PcCode::pcon);
    j["admin_district"] = name(PcCode::lad);
    j["parish"] = name(PcCode::parish);
    j["admin_county"] = name(PcCode::county);
    j["date_of_introduction"] =
        r.introduced == PostcodeRecord::none ? json(nullptr) : json(yyyymm(r.introduced));
    j["admin_ward"] = name(PcCode::ward);
    j["ced"] = name(PcCode::ced);
    j["ccg"] = name(PcCode::ccg);
    j["nuts"] = keyed("nuts", PcCode::itl);
    j["pfa"] = name(PcCode::pfa);
    j["codes"] = json{
        {"admin_district", raw_code(PcCode::lad)},
        {"admin_county", raw_code(PcCode::county)},
        {"admin_ward", raw_code(PcCode::ward)},
        {"parish", raw_code(PcCode::parish)},
        {"parliamentary_constituency", raw_code(PcCode::pcon)},
        {"ccg", raw_code(PcCode::ccg)},
        {"ccg_id", keyed("ccg_id", PcCode::ccg)},
        {"ced", raw_code(PcCode::ced)},
        {"nuts", keyed("nuts_code", PcCode::itl)},
        {"lsoa", raw_code(PcCode::lsoa)},
        {"msoa", raw_code(PcCode::msoa)},
        {"lau2", raw_code(PcCode::itl)},
        {"pfa", raw_code(PcCode::pfa)},
    };
    if (distance) j["distance"] = *distance;
    j["neighbourhood"] = r.located() ? neighbourhood_json(s, {r.lon(), r.lat()}) : json(nullptr);
    return j;
}

JsonReply lookup_postcode(const Snapshot& s, std::string_view text) {
    if (!api_of(s)) return unavailable();
    auto pc = parse_pcio(text);
    if (!pc) return json_error(404, pcio::invalid_postcode);
    const auto* rec = s.api->postcodes.find(pc->compact);
    if (!rec) return json_error(404, pcio::not_found);
    if (!rec->live()) {
        auto m = Month::from_index(rec->terminated);
        auto reply = json_error(404, pcio::not_found);
        reply.body["terminated"] = json{{"postcode", rec->display()},
                                        {"year_terminated", m.year()},
                                        {"month_terminated", m.month()},
                                        {"longitude", rec->located() ? json(rec->lon()) : json(nullptr)},
                                        {"latitude", rec->located() ? json(rec->lat()) : json(nullptr)}};
        return reply;
    }
    return json_ok(postcode_json(s, *rec));
}

JsonReply validate_postcode(const Snapshot& s, std::string_view text) {
    if (!api_of(s)) return unavailable();
    auto pc = parse_pcio(text);
    const auto* rec = pc ? s.api->postcodes.find(pc->compact) : nullptr;
    return json_ok(rec != nullptr && rec->live());
}

JsonReply lookup_terminated(const Snapshot& s, std::string_view text) {
    if (!api_of(s)) return unavailable();
    auto pc = parse_pcio(text);
    if (!pc) return json_error(404, pcio::invalid_postcode);
    const auto* rec = s.api->postcodes.find(pc->compact);
    if (!rec || rec->live()) return json_error(404, pcio::terminated_not_found);
    auto m = Month::from_index(rec->terminated);
    return json_ok(json{{"postcode", rec->display()},
                        {"year_terminated", m.year()},
                        {"month_terminated", m.month()},
                        {"longitude", rec->located() ? json(rec->lon()) : json(nullptr)},
                        {"latitude", rec->located() ? json(rec->lat()) : json(nullptr)}});
}

namespace {
std::size_t search_limit(const QueryParams& params) {
    // postcodes.io: unparsable or < 1 -> default, > max -> max.
    auto v = find_param(params, "limit");
    if (!v) return pcio::limit_default;
    auto n = parse_int(*v);
    if (!n || *n < 1) return pcio::limit_default;
    return static_cast<std::size_t>(std::min<long long>(*n, static_cast<long long>(pcio::limit_max)));
}
JsonReply search_reply(const Snapshot& s, std::string_view q, const QueryParams& params, bool names_only) {
    const auto& idx = s.api->postcodes;
    auto found = idx.search(q.substr(0, 32), search_limit(params));
    if (found.empty()) return json_ok(nullptr);
    json out = json::array();
    for (auto i : found)
        out.push_back(names_only ? json(idx.records()[i].display()) : postcode_json(s, idx.records()[i]));
    return json_ok(std::move(out));
}
}  // namespace

JsonReply autocomplete(const Snapshot& s, std::string_view text, const QueryParams& params) {
    if (!api_of(s)) return unavailable();
    return search_reply(s, text, params, true);
}

JsonReply search(const Snapshot& s, const QueryParams& params) {
    if (!api_of(s)) return unavailable();
    auto q = find_param(params, "q");
    if (!q || q->empty()) q = find_param(params, "query");
    bool blank = !q || q->find_first_not_of(" \t") == std::string_view::npos;
    if (blank) return json_error(400, pcio::query_required);
    return search_reply(s, *q, params, false);
}

JsonReply reverse(const Snapshot& s, std::string_view lon_text, std::string_view lat_text,
                  const QueryParams& params) {
    if (!api_of(s)) return unavailable();
    NearestOptions o;
    if (auto e = read_limit_radius(param_json(params, "limit"), param_json(params, "radius"), o)) return *e;
    auto lon = parse_float(lon_text);
    auto lat = parse_float(lat_text);
    if (!lon || !lat || !valid_lonlat(*lon, *lat)) return json_error(400, pcio::invalid_geolocation);
    o.lon = *lon;
    o.lat = *lat;
    o.widesearch = truthy_param(params, "widesearch") || truthy_param(params, "wideSearch");
    return json_ok(nearest_result(s, o));
}

JsonReply nearest_to_postcode(const Snapshot& s, std::string_view text, const QueryParams& params) {
    if (!api_of(s)) return unavailable();
    auto pc = parse_pcio(text);
    const auto* rec = pc ? s.api->postcodes.find(pc->compact) : nullptr;
    if (!rec || !rec->live()) return json_error(404, pcio::not_found);
    if (!rec->located()) return json_ok(nullptr);
    NearestOptions o;
    if (auto e = read_limit_radius(param_json(params, "limit"), param_json(params, "radius"), o)) return *e;
    o.lon = rec->lon();
    o.lat = rec->lat();
    o.widesearch = truthy_param(params, "widesearch") || truthy_param(params, "wideSearch");
    return json_ok(nearest_result(s, o));
}

JsonReply bulk(const Snapshot& s, std::string_view body, const QueryParams& params) {
    if (!api_of(s)) return unavailable();
    // Bounded parse (core/json_input.hpp): a hostile body is a 400/413 naming the problem; a plain
    // syntax error keeps postcodes.io's message.
    JsonProblem problem = JsonProblem::none;
    auto parsed = read_json(body, bulk_body_limits, &problem);
    if (!parsed) {
        if (problem == JsonProblem::syntax) return json_error(400, pcio::invalid_json);
        return json_error(http_status(parsed.error().code), parsed.error().detail);
    }
    const json& doc = *parsed;
    if (!doc.is_object()) return json_error(400, pcio::invalid_json);
    const auto& idx = s.api->postcodes;
    if (doc.contains("postcodes") && !doc["postcodes"].is_null()) {
        const auto& list = doc["postcodes"];
        if (!list.is_array()) return json_error(400, pcio::array_required);
        if (list.size() > pcio::bulk_max) return json_error(400, pcio::too_many_postcodes);
        json out = json::array();
        for (const auto& item : list) {
            if (item.is_null() || (item.is_string() && item.get<std::string>().empty())) break;
            json result = nullptr;
            if (item.is_string()) {
                auto pc = parse_pcio(item.get<std::string>());
                const auto* rec = pc ? idx.find(pc->compact) : nullptr;
                if (rec && rec->live()) result = postcode_json(s, *rec);
            }
            // The query is echoed as postcodes.io does, but only as a short scalar.
            out.push_back(
                json{{"query", bounded_echo(item, pcio::echo_max_bytes)}, {"result", std::move(result)}});
        }
        return json_ok(std::move(out));
    }
    if (doc.contains("geolocations") && !doc["geolocations"].is_null()) {
        const auto& list = doc["geolocations"];
        if (!list.is_array()) return json_error(400, pcio::array_required);
        if (list.size() > pcio::bulk_max) return json_error(400, pcio::too_many_geolocations);
        // Read every location first, so the total work is known (and bounded) before any is done.
        std::vector<NearestOptions> wanted;
        std::vector<json> queries;
        std::size_t total_results = 0;
        for (const auto& item : list) {
            if (!item.is_object()) break;
            NearestOptions o;
            auto get = [&](const char* key) -> json {
                if (item.contains(key)) return item[key];
                if (auto v = find_param(params, key)) return std::string(*v);
                return nullptr;
            };
            if (auto e = read_limit_radius(get("limit"), get("radius"), o)) return *e;
            auto number = [](const json& v) -> std::optional<double> {
                if (v.is_number()) return v.get<double>();
                if (v.is_string()) return parse_float(v.get<std::string>());
                return std::nullopt;
            };
            auto lon = number(item.value("longitude", json(nullptr)));
            auto lat = number(item.value("latitude", json(nullptr)));
            if (!lon || !lat || !valid_lonlat(*lon, *lat)) return json_error(400, pcio::invalid_geolocation);
            o.lon = *lon;
            o.lat = *lat;
            // Either spelling, in the item or as a query parameter, as JavaScript truthiness.
            auto truthy = [](const json& v) {
                return (v.is_boolean() && v.get<bool>()) ||
                       (v.is_string() && !v.get<std::string>().empty()) ||
                       (v.is_number() && v.get<double>() != 0) || v.is_object() || v.is_array();
            };
            o.widesearch = truthy(get("widesearch")) || truthy(get("wideSearch"));
            json query = json::object();
            for (const auto& [k, v] : item.items()) {
                std::string lower;
                for (char c : k)
                    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
                if (lower == "limit" || lower == "longitude" || lower == "latitude" || lower == "radius" ||
                    lower == "widesearch")
                    query[k] = bounded_echo(v, pcio::echo_max_bytes);
            }
            total_results += o.widesearch ? std::min(o.limit, pcio::widesearch_limit) : o.limit;
            wanted.push_back(o);
            queries.push_back(std::move(query));
        }
        if (total_results > pcio::bulk_max_results)
            return json_error(400, too_many_results(wanted.size(), total_results));
        json out = json::array();
        for (std::size_t i = 0; i < wanted.size(); ++i)
            out.push_back(json{{"query", std::move(queries[i])}, {"result", nearest_result(s, wanted[i])}});
        return json_ok(std::move(out));
    }
    return json_error(400, pcio::invalid_json_query);
}

JsonReply random_postcode(const Snapshot& s, const QueryParams& params, std::uint64_t random) {
    if (!api_of(s)) return unavailable();
    auto outcode = find_param(params, "outcode");
    auto i = s.api->postcodes.pick_live(outcode ? *outcode : std::string_view(), random);
    if (!i) return json_ok(nullptr);
    return json_ok(postcode_json(s, s.api->postcodes.records()[*i]));
}

namespace {
json outcode_json(const Snapshot& s, const OutcodeSummary* summary, std::optional<double> distance = {}) {
    const auto& api = *s.api;
    const auto* sum = summary;
    auto names = [&](PcCode c) {
        json arr = json::array();
        for (auto i : sum->codes[static_cast<std::size_t>(c)]) {
            auto n = api.name_of(api.postcodes.code_text(i));
            if (!n.empty()) arr.push_back(n);
        }
        return arr;
    };
    auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
    json r{{"outcode", sum->outcode},
           {"longitude", opt(sum->lon)},
           {"latitude", opt(sum->lat)},
           {"northings", sum->northings ? json(std::llround(*sum->northings)) : json(nullptr)},
           {"eastings", sum->eastings ? json(std::llround(*sum->eastings)) : json(nullptr)},
           {"admin_district", names(PcCode::lad)},
           {"parish", names(PcCode::parish)},
           {"admin_county", names(PcCode::county)},
           {"admin_ward", names(PcCode::ward)},
           {"country", names(PcCode::country)},
           {"parliamentary_constituency", names(PcCode::pcon)}};
    if (distance) r["distance"] = *distance;
    return r;
}

JsonReply outcodes_near(const Snapshot& s, std::string_view lon_text, std::string_view lat_text,
                        const QueryParams& params) {
    // postcodes.io's order of checks: limit, longitude, latitude, radius.
    NearestOptions o;
    o.limit = pcio::outcode_limit_default;
    o.radius = pcio::outcode_radius_default;
    if (auto e = read_limit_radius(param_json(params, "limit"), nullptr, o, pcio::outcode_limit_max))
        return *e;
    auto lon = parse_float(lon_text);
    auto lat = parse_float(lat_text);
    if (!lon || !lat || !valid_lonlat(*lon, *lat)) return json_error(400, pcio::invalid_geolocation);
    if (auto e = read_limit_radius(nullptr, param_json(params, "radius"), o, pcio::outcode_limit_max,
                                   pcio::outcode_radius_max))
        return *e;
    const auto& idx = s.api->postcodes;
    auto found = idx.nearest_outcodes(*lon, *lat, o.radius, o.limit);
    if (found.empty()) return json_ok(nullptr);
    json out = json::array();
    for (const auto& f : found)
        if (auto sum = idx.outcode(f.outcode)) out.push_back(outcode_json(s, &*sum, f.distance));
    return json_ok(std::move(out));
}
}  // namespace

JsonReply lookup_outcode(const Snapshot& s, std::string_view text) {
    if (!api_of(s)) return unavailable();
    auto sum = s.api->postcodes.outcode(text);
    if (!sum) return json_error(404, pcio::outcode_not_found);
    return json_ok(outcode_json(s, &*sum));
}

JsonReply reverse_outcodes(const Snapshot& s, const QueryParams& params) {
    if (!api_of(s)) return unavailable();
    auto present = [&](std::string_view name) {
        auto v = find_param(params, name);
        return v && !v->empty() ? v : std::nullopt;
    };
    if (auto lo = present("longitude"), la = present("latitude"); lo && la)
        return outcodes_near(s, *lo, *la, params);
    if (auto lo = present("lon"), la = present("lat"); lo && la) return outcodes_near(s, *lo, *la, params);
    return json_error(400, pcio::invalid_geolocation);
}

JsonReply nearest_outcodes(const Snapshot& s, std::string_view text, const QueryParams& params) {
    if (!api_of(s)) return unavailable();
    auto sum = s.api->postcodes.outcode(text);
    if (!sum) return json_error(404, pcio::outcode_not_found);
    if (!sum->lon || !sum->lat) return json_error(400, pcio::invalid_geolocation);
    const auto lon = json(*sum->lon).dump(), lat = json(*sum->lat).dump();
    return outcodes_near(s, lon, lat, params);
}

JsonReply search_places(const QueryParams& params) {
    auto q = find_param(params, "q");
    if (!q || q->empty()) q = find_param(params, "query");
    if (!q || q->empty()) return json_error(400, pcio::invalid_query);
    return json_ok(json::array());
}

JsonReply lookup_place() { return json_error(404, pcio::place_not_found); }

JsonReply random_place() { return json_ok(nullptr); }

JsonReply lookup_scottish_postcode(const Snapshot& s, std::string_view text) {
    if (!api_of(s)) return unavailable();
    auto pc = parse_pcio(text);
    if (!pc) return json_error(404, pcio::invalid_postcode);
    const auto* rec = s.api->postcodes.find(pc->compact);
    if (!rec || !rec->live()) return json_error(404, pcio::not_found);
    return json_error(404, pcio::not_in_spd);
}

}  // namespace crimemap::core
