#pragma once
// A long-lived ZooKeeper session for interactive use (paddock-cli's shell): a reader thread
// dispatches replies to their callers by xid, hands watch events to a handler as they arrive,
// pings the server at a third of the session timeout so that the session stays alive while
// the user thinks, and reports a lost connection. Requests are synchronous for the caller;
// several threads may call at once (the shell's completer and its command loop do).
//
// It does not reconnect by itself: after a lost connection every call fails and the owner
// decides (paddock-cli's `connect`).
#include "protocol/jute/records.hpp"
#include "tools/common/net.hpp"
#include "tools/common/sync_client.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace paddock::tools {

class async_session {
public:
  // Called on the reader thread: a watch event, or a change of the connection's state
  // (keeper_state::disconnected when the connection is lost, sync_connected after connect).
  using event_handler = std::function<void(const jute::watcher_event&)>;

  explicit async_session(event_handler on_event);
  async_session(const async_session&) = delete;
  async_session& operator=(const async_session&) = delete;
  ~async_session();

  // Connects to the first of `servers` that answers, with a new session. False with error().
  bool connect(const std::vector<endpoint>& servers, int32_t session_timeout_ms,
               std::chrono::milliseconds timeout);

  // Sends a request and waits for its reply (or the timeout, or the connection's loss).
  std::optional<reply> call(int32_t opcode, const jute::request_body& body);
  std::optional<reply> add_auth(const std::string& scheme, const std::string& credentials);

  // closeSession, then the socket and the reader thread go. Idempotent.
  void close();

  bool connected() const { return connected_; }
  int64_t session_id() const { return session_.session_id; }
  int32_t negotiated_timeout_ms() const { return session_.timeout_ms; }
  const endpoint& server() const { return server_; }
  std::string error() const;

private:
  struct pending {
    bool done = false;
    std::optional<reply> answer;
  };

  std::optional<reply> exchange(int32_t xid, int32_t opcode, const jute::request_body& body);
  bool send_frame(const std::string& bytes);
  void read_loop(int32_t ping_interval_ms);
  void dispatch(const std::string& frame);
  void lose_connection(const std::string& why);
  void set_error(std::string why);

  event_handler on_event_;
  int fd_ = -1;
  jute::frame_decoder decoder_;
  jute::connect_response session_;
  endpoint server_;
  std::chrono::milliseconds timeout_{10000};
  std::atomic<bool> connected_{false};
  std::atomic<bool> closing_{false};
  // closeSession is on its way: the server's closing the connection is no loss to report.
  std::atomic<bool> close_requested_{false};
  std::thread reader_;

  std::mutex send_mutex_; // one frame on the socket at a time
  mutable std::mutex mutex_;
  std::condition_variable answered_;
  std::map<int32_t, std::shared_ptr<pending>> waiting_; // by xid
  int32_t next_xid_ = 1;
  std::string error_;
};

} // namespace paddock::tools
