#include "core/error.hpp"

namespace crimemap::core {

int http_status(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::bad_request: return 400;
        case ErrorCode::not_found: return 404;
        case ErrorCode::unauthorized: return 401;
        case ErrorCode::forbidden: return 403;
        case ErrorCode::payload_too_large: return 413;
        case ErrorCode::unavailable: return 503;
        case ErrorCode::internal: return 500;
    }
    return 500;
}

}  // namespace crimemap::core
