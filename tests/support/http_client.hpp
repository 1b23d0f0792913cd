#pragma once
// A deliberately small blocking HTTP/1.1 client on POSIX sockets for the server tests: it sends
// exactly the bytes it is given (malformed requests included) and parses responses by hand.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace crimemap::testing {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class HttpConnection {
  public:
    // source: a loopback address to connect from ("127.0.0.2"...), so tests can be several clients;
    // receive_buffer: SO_RCVBUF in bytes (0 = the kernel's default).
    explicit HttpConnection(std::uint16_t port, int timeout_ms = 10000, const char* source = nullptr,
                            int receive_buffer = 0)
        : timeout_ms_(timeout_ms) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket failed");
        if (receive_buffer > 0)
            ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        if (source) {
            sockaddr_in local{};
            local.sin_family = AF_INET;
            local.sin_port = 0;
            if (::inet_pton(AF_INET, source, &local.sin_addr) != 1 ||
                ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
                ::close(fd_);
                fd_ = -1;
                throw std::runtime_error("cannot bind to the source address");
            }
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            fd_ = -1;
            throw std::runtime_error("connect failed");
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~HttpConnection() {
        if (fd_ >= 0) ::close(fd_);
    }
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    bool send(const std::string& data) {
        std::size_t off = 0;
        while (off < data.size()) {
            auto n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }

    // Reads one response; nullopt when the connection closes or times out first.
    std::optional<HttpResponse> read(bool head = false) {
        std::size_t end;
        while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
            if (!fill()) return std::nullopt;
        HttpResponse res;
        std::string head_text = buf_.substr(0, end);
        buf_.erase(0, end + 4);
        auto line_end = head_text.find("\r\n");
        std::string status_line = head_text.substr(0, line_end);
        if (status_line.size() < 12) return std::nullopt;
        res.status = std::stoi(status_line.substr(9, 3));
        std::size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
        while (pos < head_text.size()) {
            auto e = head_text.find("\r\n", pos);
            if (e == std::string::npos) e = head_text.size();
            std::string line = head_text.substr(pos, e - pos);
            auto colon = line.find(':');
            if (colon != std::string::npos) {
                std::string name = line.substr(0, colon);
                for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                std::string value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                res.headers[name] = value;
            }
            pos = e + 2;
        }
        std::size_t length = 0;
        if (!res.header("content-length").empty()) length = std::stoul(res.header("content-length"));
        if (head || res.status == 204 || res.status == 304) length = 0;
        while (buf_.size() < length)
            if (!fill()) return std::nullopt;
        res.body = buf_.substr(0, length);
        buf_.erase(0, length);
        return res;
    }

    std::optional<HttpResponse> request(const std::string& raw, bool head = false) {
        if (!send(raw)) return std::nullopt;
        return read(head);
    }

    std::optional<HttpResponse> get(const std::string& target, const std::string& extra_headers = "") {
        return request("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n");
    }

    // True when the peer closed the connection (EOF) within the timeout.
    bool closed_by_peer(int timeout_ms = 3000) {
        pollfd p{fd_, POLLIN, 0};
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (std::chrono::steady_clock::now() < deadline) {
            if (::poll(&p, 1, 50) > 0) {
                char c[4096];
                auto n = ::recv(fd_, c, sizeof c, 0);
                if (n <= 0) return true;
                buf_.append(c, static_cast<std::size_t>(n));
            }
        }
        return false;
    }

  private:
    bool fill() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms_) <= 0) return false;
        char c[65536];
        auto n = ::recv(fd_, c, sizeof c, 0);
        if (n <= 0) return false;
        buf_.append(c, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    int timeout_ms_;
    std::string buf_;
};

// The status of `GET target` on a fresh connection (from `source`, a loopback address), 0 without an answer.
inline int status_of(std::uint16_t port, const std::string& target, const char* source = nullptr) {
    HttpConnection c(port, 10000, source);
    auto res = c.get(target);
    return res ? res->status : 0;
}

// True when nothing accepts connections on port any more: a server's shutdown has begun.
inline bool connection_refused(std::uint16_t port) {
    try {
        HttpConnection probe(port, 1000);
        return false;
    } catch (const std::runtime_error&) {
        return true;
    }
}

}  // namespace crimemap::testing
