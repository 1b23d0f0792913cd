#pragma once
// What the rate limiter decided for one request (server/rate_limit.hpp): kept apart so a Request
// can carry a decision already charged on its I/O thread (http_types.hpp). Plain values.
#include <string>

namespace crimemap::server {

// What a limited answer says about its bucket (the RateLimit-* headers).
struct Decision {
    bool allowed = true;
    long limit = 0;        // RateLimit-Limit: the burst
    long remaining = 0;    // RateLimit-Remaining: whole tokens left after this request
    long reset = 0;        // RateLimit-Reset: seconds until the bucket is full again (ceil)
    long retry_after = 0;  // Retry-After when refused: seconds until one token is back (>= 1)
};

struct RateLimitResult {
    enum class Outcome {
        unlimited,    // not a limited path, limit off, or not from a socket: no headers
        allowed,      // within the limit: RateLimit-* headers
        throttled,    // 429: RateLimit-* and Retry-After
        invalid_key,  // 401: an API key was sent but is unknown or revoked
    };
    Outcome outcome = Outcome::unlimited;
    Decision decision;
    std::string key = "anonymous";  // the portal key's name when one was used
};

}  // namespace crimemap::server
