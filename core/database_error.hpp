#pragma once
// A request-time database failure as the server shows it. The kind decides the HTTP answer: busy,
// timeout and unavailable are 503 (try again), failed is 500. what() is for the server log only:
// it may quote SQL and PostgreSQL's message, so it never goes to a client. Thrown by the
// database-backed services (core::CrimeDetails, core::TeamStore) via store::ConnectionPool::run;
// App::handle turns it into the answer.
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace crimemap::core {

class DatabaseError : public std::runtime_error {
  public:
    enum class Kind {
        busy,         // no pooled connection freed up in time, or the server lacks resources
        timeout,      // the statement timeout (or a lock wait) cancelled the query
        unavailable,  // cannot connect, or the connection was lost
        failed,       // anything else (a bug, a missing table, a constraint): HTTP 500
    };
    DatabaseError(Kind kind, const std::string& log_message) : std::runtime_error(log_message), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }
    bool transient() const noexcept { return kind_ != Kind::failed; }

  private:
    Kind kind_;
};

// What a client may see: a generic message per kind.
inline std::string_view public_message(DatabaseError::Kind kind) noexcept {
    switch (kind) {
        case DatabaseError::Kind::busy: return "The database is busy; try again shortly";
        case DatabaseError::Kind::timeout: return "The database did not answer in time; try again";
        case DatabaseError::Kind::unavailable: return "The database is unavailable; try again shortly";
        case DatabaseError::Kind::failed: break;
    }
    return "Internal server error";
}

// unavailable (503) for the transient kinds, internal (500) otherwise, with the public message.
inline Error to_error(const DatabaseError& e) {
    return {e.transient() ? ErrorCode::unavailable : ErrorCode::internal,
            std::string(public_message(e.kind()))};
}

}  // namespace crimemap::core
