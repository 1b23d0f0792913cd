#pragma once
// Clients that fetch a list of paths in a loop on keep-alive connections until stopped, recording
// every answer outside the accepted statuses (200 and 204 unless told) and every connection
// failure. Used by the reload tests (tests/integration/server_reload_test.cpp) and the fault tests
// (tests/faults/) to prove that a reload, a database stop or a freeze costs no request.
// Header-only; thread-safe.
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "geo/tile.hpp"
#include "support/http_client.hpp"

namespace crimemap::testing {

// Tiles around Hereford at z8-z14 (crimes, crimes+areas with a month filter, ward areas) and /ready.
inline std::vector<std::string> hereford_tile_paths() {
    std::vector<std::string> paths;
    for (int z : {8, 10, 12, 14}) {
        auto t =
            geo::tile_containing(geo::to_world(geo::LonLat{-2.7160, 52.0565}), static_cast<std::uint8_t>(z));
        std::string zxy = std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y);
        paths.push_back("/tiles/crimes/" + zxy + ".mvt");
        paths.push_back("/tiles/crimes,areas/" + zxy + ".mvt?from=2018-10&to=2019-01");
        paths.push_back("/tiles/areas/" + zxy + ".mvt?kind=ward");
    }
    paths.push_back("/ready");
    return paths;
}

class Hammer {
  public:
    Hammer(std::uint16_t port, int threads, std::vector<std::string> paths = hereford_tile_paths(),
           std::set<int> accepted = {200, 204}) {
        for (int t = 0; t < threads; ++t)
            threads_.emplace_back([this, port, paths, accepted, t] {
                std::unique_ptr<HttpConnection> c;
                std::size_t i = static_cast<std::size_t>(t);
                while (!stop_.load()) {
                    const std::string& path = paths[i++ % paths.size()];
                    try {
                        if (!c) c = std::make_unique<HttpConnection>(port);
                        auto res = c->get(path, t % 2 ? "Accept-Encoding: gzip\r\n" : "");
                        requests_.fetch_add(1);
                        if (!res) {
                            fail(path + ": no response");
                            c.reset();
                            continue;
                        }
                        if (!accepted.count(res->status))
                            fail(path + ": " + std::to_string(res->status) + " " + res->body);
                        if (res->header("connection") == "close") c.reset();
                    } catch (const std::exception& e) {
                        requests_.fetch_add(1);
                        fail(path + ": " + e.what());
                        c.reset();
                    }
                }
            });
    }
    ~Hammer() { stop(); }
    Hammer(const Hammer&) = delete;
    Hammer& operator=(const Hammer&) = delete;

    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    long long requests() const { return requests_.load(); }
    long long failed() const { return failed_.load(); }
    std::vector<std::string> failures() {  // the first 20
        std::lock_guard lock(mutex_);
        return failures_;
    }
    std::string failures_text() {
        std::string s;
        for (const auto& x : failures()) s += x + "\n";
        return s;
    }

  private:
    void fail(std::string what) {
        failed_.fetch_add(1);
        std::lock_guard lock(mutex_);
        if (failures_.size() < 20) failures_.push_back(std::move(what));
    }
    std::atomic<bool> stop_{false};
    std::atomic<long long> requests_{0};
    std::atomic<long long> failed_{0};
    std::mutex mutex_;
    std::vector<std::string> failures_;
    std::vector<std::thread> threads_;
};

}  // namespace crimemap::testing
