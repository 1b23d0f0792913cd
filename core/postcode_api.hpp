#pragma once
// postcodes.io-compatible answers computed from the snapshot (no I/O): same envelopes
// ({"status": 200, "result": ...} / {"status": N, "error": "..."}), messages, defaults and limits as
// postcodes.io, plus our `neighbourhood: {force, id, name}` on every postcode. Thread-safe.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/api_data.hpp"
#include "core/snapshot.hpp"
#include "core/tile_query.hpp"

namespace crimemap::core {

// A JSON answer with its HTTP status (the body carries the same status, as postcodes.io does).
struct JsonReply {
    int status = 200;
    nlohmann::json body;
};
JsonReply json_ok(nlohmann::json result);
JsonReply json_error(int status, std::string_view message);

namespace pcio {
// Limits (postcodes.io's defaults). Larger limits and radii are clamped, as postcodes.io does.
inline constexpr std::size_t bulk_max = 100;   // postcodes or geolocations per POST
inline constexpr double radius_default = 100;  // metres
inline constexpr double radius_max = 2000;
inline constexpr double widesearch_radius = 20000;   // widesearch looks up to 20 km ...
inline constexpr std::size_t widesearch_limit = 10;  // ... for at most 10 postcodes
inline constexpr std::size_t limit_default = 10;
inline constexpr std::size_t limit_max = 100;
// Outcode reverse geocoding (/outcodes?lon=&lat=, /outcodes/{outcode}/nearest).
inline constexpr double outcode_radius_default = 5000;  // metres
inline constexpr double outcode_radius_max = 25000;
inline constexpr std::size_t outcode_limit_default = 10;
inline constexpr std::size_t outcode_limit_max = 100;
// Ours: the results of one bulk reverse-geocoding request (the sum of each location's limit after
// clamping; widesearch counts 10) are at most 1,000, so 100 locations at the default limit pass
// and 100 x 100 is a 400 rather than 10,000 postcode records built on an I/O thread.
inline constexpr std::size_t bulk_max_results = 1000;
// Echoed queries are scalars, strings cut to this many bytes (arrays and objects echo as null).
inline constexpr std::size_t echo_max_bytes = 100;

// The postcodes.io messages.
inline constexpr std::string_view invalid_postcode = "Invalid postcode";
inline constexpr std::string_view not_found = "Postcode not found";
inline constexpr std::string_view terminated_not_found = "Terminated postcode not found";
inline constexpr std::string_view outcode_not_found = "Outcode not found";
inline constexpr std::string_view invalid_geolocation = "Invalid longitude/latitude submitted";
inline constexpr std::string_view invalid_limit = "Invalid result limit submitted";
inline constexpr std::string_view invalid_radius = "Invalid lookup radius submitted";
inline constexpr std::string_view query_required =
    "No postcode query submitted. Remember to include query parameter";
inline constexpr std::string_view array_required = "Invalid data submitted. You need to provide a JSON array";
inline constexpr std::string_view resource_not_found = "Resource not found";  // unmatched paths
inline constexpr std::string_view place_not_found = "Place not found";
inline constexpr std::string_view invalid_query =
    "No valid query submitted. Remember to include every parameter";
inline constexpr std::string_view not_in_spd = "Postcode exists in ONSPD but not in SPD";
extern const std::string invalid_json;        // body is not JSON
extern const std::string invalid_json_query;  // JSON without postcodes/geolocations
extern const std::string too_many_postcodes;
extern const std::string too_many_geolocations;
}  // namespace pcio

// One postcode as postcodes.io renders it (names resolved, codes{}, optional distance) plus
// `neighbourhood` (null when no neighbourhood polygon contains it).
nlohmann::json postcode_json(const Snapshot& snapshot, const PostcodeRecord& rec,
                             std::optional<double> distance = {});
// {force, id, name} of the neighbourhood containing the point, or null.
nlohmann::json neighbourhood_json(const Snapshot& snapshot, geo::LonLat where);

// postcodes.io's postcode shape test (the `postcode` package's isValid on the trimmed text): outward
// code, optional spaces, inward code; no other characters, no space inside the outward code
// ("HR 1 1BA" is invalid, "hr1  1ba" valid). Every route checks it before looking a postcode up.
bool postcodes_io_shaped(std::string_view text);

// `filter=` (postcodes.io): keeps only the named keys of each postcode object in a result: a
// single object, an array of objects, or a bulk array of {query, result}. Names are a comma list,
// whitespace removed, lower-cased; unknown names are ignored (so nothing known -> {}); null stays null.
void filter_postcodes(nlohmann::json& result, std::string_view filter);

// GET /postcodes/{postcode}: 404 "Invalid postcode" when malformed, 404 "Postcode not found" (with
// a `terminated` block when the postcode was terminated).
JsonReply lookup_postcode(const Snapshot& snapshot, std::string_view text);
// GET /postcodes/{postcode}/validate: result true/false.
JsonReply validate_postcode(const Snapshot& snapshot, std::string_view text);
// GET /terminated_postcodes/{postcode}
JsonReply lookup_terminated(const Snapshot& snapshot, std::string_view text);
// GET /postcodes/{postcode}/autocomplete?limit= and GET /postcodes?q=: result null when nothing.
JsonReply autocomplete(const Snapshot& snapshot, std::string_view text, const QueryParams& params);
JsonReply search(const Snapshot& snapshot, const QueryParams& params);
// Reverse geocoding: lon/lat as text (postcodes.io parses leniently), limit/radius/widesearch from
// params. GET /postcodes?lon=&lat= and /postcodes/lon/{lon}/lat/{lat}.
JsonReply reverse(const Snapshot& snapshot, std::string_view lon, std::string_view lat,
                  const QueryParams& params);
// GET /postcodes/{postcode}/nearest
JsonReply nearest_to_postcode(const Snapshot& snapshot, std::string_view text, const QueryParams& params);
// POST /postcodes with {"postcodes": [...]} or {"geolocations": [...]}; body is the raw request body,
// read with core::read_json (64 KiB, depth 32, 1,000 items per array/object; no NUL): a body over
// a limit is a 400/413 naming it. Geolocations: at most bulk_max_results results in total.
JsonReply bulk(const Snapshot& snapshot, std::string_view body, const QueryParams& params);
// GET /random/postcodes[?outcode=]: result null when there is none.
JsonReply random_postcode(const Snapshot& snapshot, const QueryParams& params, std::uint64_t random);
// GET /outcodes/{outcode}
JsonReply lookup_outcode(const Snapshot& snapshot, std::string_view text);
// GET /outcodes?lon=&lat= (or longitude=&latitude=): outcodes by centroid distance, each with
// `distance` (metres); limit (default 10, max 100) and radius (default 5000, max 25000 m) as
// postcodes.io reads them; result null when none. Without both coordinates: 400 "Invalid
// longitude/latitude submitted".
JsonReply reverse_outcodes(const Snapshot& snapshot, const QueryParams& params);
// Routes our data cannot serve, answered as postcodes.io answers with empty tables: places need
// OS Open Names, /scotland the Scottish Postcode Directory, neither of which we import.
// GET /places?q= (or query=): 200 with result [] (400 invalid_query without q).
JsonReply search_places(const QueryParams& params);
// GET /places/{code}: 404 "Place not found". GET /random/places: 200 with result null.
JsonReply lookup_place();
JsonReply random_place();
// GET /scotland/postcodes/{postcode}: 404 "Invalid postcode", "Postcode not found", or (for a
// postcode of our directory) "Postcode exists in ONSPD but not in SPD".
JsonReply lookup_scottish_postcode(const Snapshot& snapshot, std::string_view text);
// GET /outcodes/{outcode}/nearest: the same around the outcode's centroid; 404 "Outcode not found".
JsonReply nearest_outcodes(const Snapshot& snapshot, std::string_view outcode, const QueryParams& params);

}  // namespace crimemap::core
