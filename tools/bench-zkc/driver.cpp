#include "tools/bench-zkc/driver.hpp"

#include <algorithm>
#include <thread>

namespace paddock::bench::zkc {

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(2);
constexpr size_t close_threads = 16;

} // namespace

bool connect_sessions(const options& opt, size_t count, std::chrono::milliseconds timeout,
                      session_list& out, std::string& error) {
  out.clear();
  for (size_t i = 0; i < count; ++i) {
    auto s =
        zk_session::start(opt.servers[i % opt.servers.size()], opt.session_timeout_ms, i, error);
    if (!s) return false;
    out.push_back(std::move(s));
  }
  auto deadline = clock::now() + timeout;
  for (size_t i = 0; i < count; ++i)
    if (!out[i]->wait_connected(deadline)) {
      error = "session " + std::to_string(i + 1) + " of " + std::to_string(count) + " (" +
              tools::to_string(opt.servers[i % opt.servers.size()]) + "): not connected after " +
              std::to_string(timeout.count()) + " ms";
      return false;
    }
  return true;
}

namespace {

bool drive(session_list& sessions, zk_phase& p, size_t max_outstanding,
           std::chrono::milliseconds stall_timeout,
           const std::function<void(clock::time_point)>& on_tick, std::string& error) {
  for (auto& s : sessions)
    s->begin(p, max_outstanding);
  uint64_t last_replies = 0;
  auto last_progress = clock::now();
  for (;;) {
    std::this_thread::sleep_for(poll_interval);
    auto now = clock::now();
    if (on_tick) on_tick(now);
    bool all_idle = true;
    bool waiting = false;
    uint64_t replies = 0;
    for (size_t i = 0; i < sessions.size(); ++i) {
      auto& s = *sessions[i];
      auto e = s.error();
      if (!e.empty()) {
        error = "session " + std::to_string(i + 1) + ": " + e;
        return false;
      }
      if (!s.idle()) all_idle = false;
      if (s.outstanding() > 0) waiting = true;
      replies += s.replies();
    }
    if (all_idle) return true;
    if (replies != last_replies || !waiting) {
      last_replies = replies;
      last_progress = now;
    } else if (now - last_progress > stall_timeout) {
      error = "no reply from the server for " + std::to_string(stall_timeout.count()) +
              " ms with requests in flight";
      return false;
    }
  }
}

} // namespace

bool run_phase(session_list& sessions, zk_phase& p, size_t max_outstanding,
               std::chrono::milliseconds stall_timeout,
               const std::function<void(clock::time_point)>& on_tick, std::string& error) {
  bool ok = drive(sessions, p, max_outstanding, stall_timeout, on_tick, error);
  // After a failure requests may still be in flight; their completions must not reach `p`,
  // which the caller is about to destroy.
  for (auto& s : sessions)
    s->detach();
  return ok;
}

void close_sessions(session_list& sessions) {
  auto n = std::min(sessions.size(), close_threads);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < n; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = t; i < sessions.size(); i += n)
        sessions[i]->close();
    });
  for (auto& t : threads)
    t.join();
}

} // namespace paddock::bench::zkc
