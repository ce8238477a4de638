#pragma once
// A blocking, one-request-at-a-time ZooKeeper session over the project's codec. Used by
// paddock-cli for its commands and by paddock-bench to open sessions before switching them
// to its event loop. Errors are values: every call says what went wrong in `error()`.
#include "protocol/jute/codec.hpp"
#include "protocol/jute/frame_decoder.hpp"
#include "protocol/jute/records.hpp"
#include "tools/common/net.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace paddock::tools {

struct reply {
  jute::reply_header header;
  std::string body; // the bytes after the reply header
};

class sync_client {
public:
  sync_client() = default;
  sync_client(const sync_client&) = delete;
  sync_client& operator=(const sync_client&) = delete;
  sync_client(sync_client&& other) noexcept;
  sync_client& operator=(sync_client&& other) noexcept;
  ~sync_client();

  // TCP connect + ConnectRequest/ConnectResponse. A session timeout of 0 from the server
  // means it refused the session (ZooKeeper's way of saying "expired").
  bool connect(const endpoint& ep, int32_t session_timeout_ms, std::chrono::milliseconds timeout);

  // Sends one request (the xid is assigned here) and waits for its reply, skipping watch
  // notifications. Fails on timeout, a closed connection or a reply for another xid.
  std::optional<reply> call(int32_t opcode, const jute::request_body& body);

  // addAuth: an AuthPacket on ZooKeeper's auth xid (-4), answered on that xid. A reply with
  // AuthFailed means the server is closing the connection.
  std::optional<reply> add_auth(const std::string& scheme, const std::string& credentials);

  // Sends closeSession and waits (bounded) for its reply; closes the socket.
  void close_session();

  const jute::connect_response& session() const { return session_; }
  const std::string& error() const { return error_; }
  int32_t next_xid() const { return next_xid_; }

  // Hands the socket and anything already buffered to another owner (paddock-bench's loop).
  int release_fd();
  jute::frame_decoder& decoder() { return decoder_; }

private:
  std::optional<reply> exchange(int32_t xid, int32_t opcode, const jute::request_body& body);
  bool read_frame(std::string& frame, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  jute::frame_decoder decoder_;
  jute::connect_response session_;
  int32_t next_xid_ = 1;
  std::chrono::milliseconds timeout_{10000};
  std::string error_;
};

} // namespace paddock::tools
