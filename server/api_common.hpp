#pragma once
// Helpers shared by the server/api_*.cpp handlers (internal to them).
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/api_data.hpp"
#include "core/postcode_api.hpp"
#include "core/snapshot.hpp"
#include "server/context.hpp"
#include "server/http_types.hpp"
#include "server/response.hpp"
#include "server/router.hpp"

namespace crimemap::server::api {

// Data answers change only with the dataset version: short public caching plus a weak ETag from
// the version and the request target, so clients revalidate with 304s.
// `salt` joins the ETag for answers that also depend on mutable team data (teams_salt()).
Response reply(const Request& req, const core::Snapshot* snapshot, const core::JsonReply& r,
               std::uint64_t salt = 0);
// An answer that is a pure function of the snapshot and `key` (the normalised request, e.g.
// "pc|HR11AA"): made once, gzip-compressed and given strong ETags, held in ctx.answers() and served
// by the tile path's rules (encoded_response) with `cache_control`. `compute` makes it on a miss;
// anything but a 200 is answered as reply() does and never held.
Response cached_reply(ServerContext& ctx, const Request& req, const core::Snapshot& s, std::string_view key,
                      std::string_view cache_control, const std::function<core::JsonReply()>& compute,
                      std::uint64_t salt = 0);
// A bare JSON body (data.police.uk style: no envelope) with status 200.
Response reply_raw(const Request& req, const core::Snapshot* snapshot, const nlohmann::json& body);
// The current snapshot when it has API data, else nullptr (callers answer unavailable()).
std::shared_ptr<const core::Snapshot> snapshot_with_api(ServerContext& ctx);
Response unavailable();
// The team directory to read: the snapshot's, or the one re-read after the latest write when that
// is fresher (api_teams.cpp).
std::shared_ptr<const core::TeamDirectory> current_teams(const core::Snapshot& s);
std::uint64_t teams_salt(const core::TeamDirectory& teams);

}  // namespace crimemap::server::api
