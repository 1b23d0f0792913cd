#pragma once
// Waiting in tests without fixed sleeps: wait_until polls a condition until it holds or a generous
// bound passes, and a Gate holds fakes (a slow render, a slow query) until the test opens it, so a
// test waits for the state it needs instead of for a time it hopes is long enough. Header-only.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace crimemap::testing {

// True as soon as done() holds; false when it still does not after `timeout` (checked every `every`).
template <class Condition>
bool wait_until(Condition&& done, std::chrono::milliseconds timeout = std::chrono::seconds(30),
                std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(every);
    }
    return true;
}

// pass() counts an arrival and blocks until open(); wait_arrived(n) blocks until n have arrived.
class Gate {
  public:
    void pass() {
        std::unique_lock lock(m_);
        ++arrived_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return open_; });
    }
    bool wait_arrived(int n, std::chrono::seconds timeout = std::chrono::seconds(20)) {
        std::unique_lock lock(m_);
        return cv_.wait_for(lock, timeout, [&] { return arrived_ >= n; });
    }
    void open() {
        std::lock_guard lock(m_);
        open_ = true;
        cv_.notify_all();
    }

  private:
    std::mutex m_;
    std::condition_variable cv_;
    int arrived_ = 0;
    bool open_ = false;
};

}  // namespace crimemap::testing
