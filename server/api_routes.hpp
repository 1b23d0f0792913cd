#pragma once
// The JSON APIs (postcodes.io-compatible /postcodes, data.police.uk-compatible /api/, our /v1/):
// register_api_routes adds their routes to the one routing table (called from App). Handlers read
// the snapshot (core/api_data.hpp); the few that need individual crime rows or team writes go through
// the interfaces in ApiServices, which main.cpp wires to store/ (null members answer 503).
#include <functional>
#include <memory>

#include "server/context.hpp"
#include "server/router.hpp"

namespace crimemap::core {
class CrimeDetails;
class TeamStore;
}  // namespace crimemap::core

namespace crimemap::server {

struct ApiServices {
    std::shared_ptr<core::CrimeDetails> crimes;
    std::shared_ptr<core::TeamStore> teams;
};

// Installs the services (main.cpp, before the server starts listening; tests may call it anytime).
void set_api_services(ApiServices services);
ApiServices api_services();

// `ctx` returns the App's context at request time (the App builds its context after its routes).
void register_api_routes(Router& router, std::function<ServerContext&()> ctx);

}  // namespace crimemap::server
