#pragma once
// One session on Apache ZooKeeper's C client (libzookeeper_mt): a zhandle with its own I/O
// and completion threads, as every C-library user gets. Requests go out through the async
// API (zoo_acreate, zoo_aset, zoo_aget, zoo_adelete) up to a number in flight; each
// completion, on the handle's completion thread, records the reply with the phase and
// issues the next request. The C client completes a session's requests in the order sent,
// so the replies are matched against a FIFO of requests in flight, and a completion for any
// other request is reported as a violation.
#include "tools/common/net.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <zookeeper/zookeeper.h>

namespace paddock::bench::zkc {

using clock = std::chrono::steady_clock;

enum class op { create, remove, set, get };

struct zk_request {
  op kind = op::get;
  std::string path;
  std::string_view value; // create, set: must outlive the call (the phase owns it)
  uint64_t tag = 0;       // the phase's own bookkeeping
};

class zk_session;

struct in_flight {
  zk_session* owner = nullptr;
  op kind = op::get;
  clock::time_point sent;
  uint64_t tag = 0;
};

struct zk_reply {
  const in_flight& request;
  int rc;        // ZOK or a ZooKeeper error (the C client's codes are ZooKeeper's)
  int length;    // get: the value's length (-1: null); create: the path's length; else 0
  bool has_stat; // set, get: a Stat came back
};

// next() and done() of one session run under that session's lock, from the main thread or
// its completion thread: never two at once for one session, but different sessions call in
// parallel, so a phase keeps per-session state apart and shares only atomics.
class zk_phase {
public:
  virtual ~zk_phase() = default;
  virtual bool next(size_t session, zk_request& out, clock::time_point now) = 0;
  virtual void done(size_t session, const zk_reply& reply, clock::time_point now) = 0;
};

class zk_session {
public:
  // Starts connecting (zookeeper_init); wait_connected() waits for the session.
  static std::unique_ptr<zk_session> start(const tools::endpoint& server, int timeout_ms,
                                           size_t index, std::string& error);
  explicit zk_session(size_t index) : index_(index) {} // start() connects it
  zk_session(const zk_session&) = delete;
  zk_session& operator=(const zk_session&) = delete;
  ~zk_session();

  bool wait_connected(clock::time_point deadline);
  int64_t session_id() const;
  zhandle_t* handle() { return zh_; }

  // Points the session at a phase and fills it up to max_outstanding requests.
  void begin(zk_phase& p, size_t max_outstanding);
  // Stops issuing and forgets the phase: completions still to come only leave the FIFO
  // (the phase may be gone by then, after a failed run).
  void detach();
  // Nothing more to send in this phase and nothing in flight.
  bool idle() const;
  size_t outstanding() const;
  uint64_t replies() const { return replies_.load(std::memory_order_relaxed); }
  // A request that could not be issued, or a completion out of order; empty if none.
  std::string error() const;

  // zookeeper_close: closeSession, then the handle's threads end. Idempotent.
  void close();

private:
  static void on_session_event(zhandle_t* zh, int type, int state, const char* path, void* ctx);
  static void on_void(int rc, const void* data);
  static void on_stat(int rc, const struct Stat* stat, const void* data);
  static void on_data(int rc, const char* value, int value_len, const struct Stat* stat,
                      const void* data);
  static void on_string(int rc, const char* value, const void* data);
  void complete(const void* data, int rc, int length, bool has_stat);
  void pump_locked(clock::time_point now);
  int issue(const zk_request& r, const in_flight* slot);

  size_t index_;
  zhandle_t* zh_ = nullptr;
  mutable std::mutex mu_;
  std::condition_variable connected_cv_;
  bool connected_ = false;
  bool expired_ = false;
  zk_phase* phase_ = nullptr;
  size_t max_outstanding_ = 0;
  bool exhausted_ = true;
  std::deque<in_flight> in_flight_;
  std::atomic<uint64_t> replies_{0};
  std::string error_;
};

} // namespace paddock::bench::zkc
