#include "tools/common/sync_client.hpp"

#include "protocol/jute/jute_writer.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace paddock::tools {

sync_client::sync_client(sync_client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), decoder_(std::move(other.decoder_)),
      session_(std::move(other.session_)), next_xid_(other.next_xid_), timeout_(other.timeout_),
      error_(std::move(other.error_)) {}

sync_client& sync_client::operator=(sync_client&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    decoder_ = std::move(other.decoder_);
    session_ = std::move(other.session_);
    next_xid_ = other.next_xid_;
    timeout_ = other.timeout_;
    error_ = std::move(other.error_);
  }
  return *this;
}

sync_client::~sync_client() {
  if (fd_ >= 0) ::close(fd_);
}

int sync_client::release_fd() {
  return std::exchange(fd_, -1);
}

bool sync_client::read_frame(std::string& frame, std::chrono::steady_clock::time_point deadline) {
  std::array<char, 16384> buf;
  for (;;) {
    std::span<const char> next;
    if (decoder_.next(next)) {
      frame.assign(next.data(), next.size());
      return true;
    }
    if (decoder_.failed()) {
      error_ = "bad frame length " + std::to_string(decoder_.bad_length()) + " from server";
      return false;
    }
    if (!wait_readable(fd_, deadline)) {
      error_ = "timed out waiting for the server";
      return false;
    }
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n == 0) {
      error_ = "connection closed by the server";
      return false;
    }
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      error_ = std::string("receive failed: ") + std::strerror(errno);
      return false;
    }
    decoder_.feed(std::span<const char>(buf.data(), static_cast<size_t>(n)));
  }
}

bool sync_client::connect(const endpoint& ep, int32_t session_timeout_ms,
                          std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  fd_ = connect_tcp(ep, timeout, error_);
  if (fd_ < 0) return false;
  jute::connect_request req;
  req.timeout_ms = session_timeout_ms;
  req.passwd.assign(16, '\0'); // a new session: sessionId 0 and an all-zero password
  std::string out;
  jute::writer w(out);
  auto start = w.begin_frame();
  jute::encode(out, req);
  w.end_frame(start);
  if (!send_all(fd_, out)) {
    error_ = std::string("send failed: ") + std::strerror(errno);
    return false;
  }
  std::string frame;
  if (!read_frame(frame, std::chrono::steady_clock::now() + timeout)) return false;
  auto status = jute::decode_connect_response(std::span<const char>(frame), session_);
  if (status != jute::decode_status::ok) {
    error_ = "bad ConnectResponse: " + std::string(jute::decode_status_name(status));
    return false;
  }
  if (session_.timeout_ms <= 0) {
    error_ = "the server refused the session";
    return false;
  }
  return true;
}

std::optional<reply> sync_client::call(int32_t opcode, const jute::request_body& body) {
  return exchange(next_xid_++, opcode, body);
}

std::optional<reply> sync_client::add_auth(const std::string& scheme,
                                           const std::string& credentials) {
  return exchange(jute::xid::auth, jute::opcode::auth, jute::auth_packet{0, scheme, credentials});
}

std::optional<reply> sync_client::exchange(int32_t xid, int32_t opcode,
                                           const jute::request_body& body) {
  jute::request req{{xid, opcode}, body};
  std::string out;
  jute::encode_request_frame(out, req);
  if (!send_all(fd_, out)) {
    error_ = std::string("send failed: ") + std::strerror(errno);
    return std::nullopt;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::string frame;
  for (;;) {
    if (!read_frame(frame, deadline)) return std::nullopt;
    reply r;
    size_t offset = 0;
    auto status = jute::decode_reply_header(std::span<const char>(frame), r.header, offset);
    if (status != jute::decode_status::ok) {
      error_ = "bad reply header: " + std::string(jute::decode_status_name(status));
      return std::nullopt;
    }
    if (r.header.xid == jute::xid::notification)
      continue; // a watch event: none of our commands set watches, but tolerate them
    if (r.header.xid != req.header.xid) {
      error_ = "reply for xid " + std::to_string(r.header.xid) + " while waiting for xid " +
               std::to_string(req.header.xid);
      return std::nullopt;
    }
    r.body.assign(frame.data() + offset, frame.size() - offset);
    return r;
  }
}

void sync_client::close_session() {
  if (fd_ < 0) return;
  auto saved = timeout_;
  timeout_ = std::min(timeout_, std::chrono::milliseconds(2000));
  (void)call(jute::opcode::close_session, jute::empty_request{});
  timeout_ = saved;
  ::close(fd_);
  fd_ = -1;
}

} // namespace paddock::tools
