#pragma once
// Session expiry in tick buckets, as ZooKeeper's ExpiryQueue: a session touched at `now`
// with timeout T expires at the first tick boundary after now + T, so one timer per tick
// checks one bucket instead of one timer per session. No clock: callers pass `now_ms`.
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace paddock::store {

class session_expiry {
public:
  explicit session_expiry(int64_t tick_ms) : tick_ms_(tick_ms) {}

  // Starts (or restarts) tracking a session.
  void add(int64_t session_id, int32_t timeout_ms, int64_t now_ms);
  // Moves the session's deadline; false if it is not tracked (expired or closed).
  bool touch(int64_t session_id, int64_t now_ms);
  void remove(int64_t session_id);
  bool contains(int64_t session_id) const { return sessions_.count(session_id) != 0; }

  // Removes and returns every session whose deadline is <= now_ms, oldest bucket first.
  std::vector<int64_t> expire(int64_t now_ms);
  // The next bucket boundary at which something may expire; -1 when nothing is tracked.
  int64_t next_deadline() const;

  size_t size() const { return sessions_.size(); }
  // Each bucket's deadline and its sessions (ascending), soonest first: the dump command's
  // expiry_time_to_session_ids.
  std::vector<std::pair<int64_t, std::vector<int64_t>>> buckets() const;
  int32_t timeout_of(int64_t session_id) const;

private:
  int64_t round_up(int64_t t) const { return (t / tick_ms_ + 1) * tick_ms_; }
  struct entry {
    int32_t timeout_ms;
    int64_t deadline;
  };
  int64_t tick_ms_;
  std::unordered_map<int64_t, entry> sessions_;
  std::map<int64_t, std::unordered_set<int64_t>> buckets_;
};

// ZooKeeper's session id layout: the server id in the top byte, then the start time in
// milliseconds shifted so that ids from different starts of one server do not collide.
int64_t initial_session_id(int64_t server_id, int64_t now_ms);

// The session password: derived from the session id and the server's secret, so it can be
// checked on reconnect (and, once sessions are persisted, after a restart).
std::string session_password(int64_t session_id, uint64_t secret);

} // namespace paddock::store
