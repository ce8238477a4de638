#pragma once
// Drives many pipelined sessions from one thread with epoll. A `phase` says what each
// session sends next and hears every reply; the loop keeps up to `max_outstanding` requests
// in flight per session, coalesces each session's requests into one write, pings sessions
// that sit idle, and ends the phase once nothing is left to send or in flight; or, in
// hold(), keeps idle sessions alive until told to stop.
#include "tools/bench/pipelined_session.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <sys/epoll.h>
#include <vector>

namespace paddock::bench {

struct outgoing {
  int32_t opcode = 0;
  jute::request_body body;
  uint64_t tag = 0;
};

class phase {
public:
  virtual ~phase() = default;
  // Fills `out` with session `index`'s next request; false when it has nothing more to send
  // in this phase (the loop then stops asking that session).
  virtual bool next(size_t index, outgoing& out, clock::time_point now) = 0;
  virtual void done(size_t index, const pipelined_session::completion& reply,
                    clock::time_point now) = 0;
};

class event_loop {
public:
  event_loop();
  ~event_loop();
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;

  bool ok() const { return epoll_fd_ >= 0; }
  void add(pipelined_session session);
  size_t size() const { return sessions_.size(); }
  pipelined_session& session(size_t i) { return sessions_[i]; }

  // Runs `p` to completion. Fails (with error()) when a session fails, or when no reply
  // arrives for `stall_timeout` while requests are in flight (a hung server must not hang
  // the bench).
  bool run(phase& p, size_t max_outstanding, std::chrono::milliseconds stall_timeout);

  // Sends nothing but pings: keeps every session alive while `keep_going()` says so, checked
  // at least every 100 ms. Fails as run() does (a session closed by the server, no answer to
  // a ping for `stall_timeout`). Watch notifications are counted by each session.
  bool hold(const std::function<bool()>& keep_going, std::chrono::milliseconds stall_timeout);

  // Pings every session that has sent nothing for a third of its timeout, without waiting
  // for anything: keeps sessions alive while the caller is busy elsewhere (opening more).
  bool ping_idle();

  const std::string& error() const { return error_; }

  // Sends closeSession on every session and waits (bounded) for the answers, so the server
  // frees them now rather than at their timeout. Returns how many closed cleanly.
  size_t close_all(std::chrono::milliseconds timeout);

private:
  bool refill(size_t i, phase& p, size_t max_outstanding, clock::time_point now);
  // One epoll_wait and what it brings; false on failure (error_ set).
  bool poll_once(phase& p, size_t max_outstanding, std::chrono::milliseconds stall_timeout);
  bool update_interest(size_t i);

  int epoll_fd_ = -1;
  std::vector<pipelined_session> sessions_;
  std::vector<bool> exhausted_;
  std::vector<bool> writing_; // EPOLLOUT currently registered
  std::vector<epoll_event> events_;
  clock::time_point last_progress_;
  clock::time_point last_sweep_;
  std::string error_;
};

} // namespace paddock::bench
