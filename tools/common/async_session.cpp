#include "tools/common/async_session.hpp"

#include "protocol/jute/codec.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace paddock::tools {

async_session::async_session(event_handler on_event) : on_event_(std::move(on_event)) {}

async_session::~async_session() {
  close();
}

std::string async_session::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void async_session::set_error(std::string why) {
  std::lock_guard lock(mutex_);
  error_ = std::move(why);
}

bool async_session::connect(const std::vector<endpoint>& servers, int32_t session_timeout_ms,
                            std::chrono::milliseconds timeout) {
  close();
  timeout_ = timeout;
  std::string why = "no server given";
  for (const auto& ep : servers) {
    sync_client handshake;
    if (!handshake.connect(ep, session_timeout_ms, timeout)) {
      why = handshake.error();
      continue;
    }
    session_ = handshake.session();
    decoder_ = std::move(handshake.decoder());
    fd_ = handshake.release_fd();
    server_ = ep;
    {
      std::lock_guard lock(mutex_);
      error_.clear();
      next_xid_ = 1;
    }
    closing_ = false;
    close_requested_ = false;
    connected_ = true;
    // ZooKeeper's client pings when a third of the session timeout passed without traffic.
    int32_t ping_ms = std::max(session_.timeout_ms / 3, 100);
    reader_ = std::thread([this, ping_ms] { read_loop(ping_ms); });
    on_event_(jute::watcher_event{jute::event_type::none, jute::keeper_state::sync_connected, ""});
    return true;
  }
  set_error(why);
  return false;
}

bool async_session::send_frame(const std::string& bytes) {
  std::lock_guard lock(send_mutex_);
  return fd_ >= 0 && send_all(fd_, bytes);
}

std::optional<reply> async_session::call(int32_t opcode, const jute::request_body& body) {
  int32_t xid;
  {
    std::lock_guard lock(mutex_);
    xid = next_xid_++;
  }
  return exchange(xid, opcode, body);
}

std::optional<reply> async_session::add_auth(const std::string& scheme,
                                             const std::string& credentials) {
  return exchange(jute::xid::auth, jute::opcode::auth, jute::auth_packet{0, scheme, credentials});
}

std::optional<reply> async_session::exchange(int32_t xid, int32_t opcode,
                                             const jute::request_body& body) {
  if (!connected_) {
    set_error("not connected");
    return std::nullopt;
  }
  auto slot = std::make_shared<pending>();
  {
    std::lock_guard lock(mutex_);
    waiting_[xid] = slot;
  }
  std::string out;
  jute::encode_request_frame(out, jute::request{{xid, opcode}, body});
  if (!send_frame(out)) {
    lose_connection(std::string("send failed: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::unique_lock lock(mutex_);
  if (!answered_.wait_for(lock, timeout_, [&] { return slot->done; })) {
    waiting_.erase(xid);
    error_ = "timed out waiting for the server";
    return std::nullopt;
  }
  return std::move(slot->answer); // nullopt when the connection went first: error_ says why
}

void async_session::read_loop(int32_t ping_ms) {
  using clock = std::chrono::steady_clock;
  std::array<char, 16384> buf;
  auto last_heard = clock::now();
  auto last_ping = clock::now();
  const auto silence_limit = std::chrono::milliseconds(session_.timeout_ms);
  while (!closing_) {
    pollfd pfd{fd_, POLLIN, 0};
    int rc = ::poll(&pfd, 1, ping_ms);
    if (closing_) return;
    auto now = clock::now();
    if (rc < 0 && errno != EINTR) return lose_connection(std::strerror(errno));
    if (rc > 0) {
      ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n == 0) return lose_connection("connection closed by the server");
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return lose_connection(std::string("receive failed: ") + std::strerror(errno));
      }
      last_heard = now;
      decoder_.feed(std::span<const char>(buf.data(), static_cast<size_t>(n)));
      std::span<const char> frame;
      while (decoder_.next(frame))
        dispatch(std::string(frame.data(), frame.size()));
      if (decoder_.failed()) return lose_connection("bad frame from the server");
    }
    if (now - last_heard > silence_limit) return lose_connection("the server stopped answering");
    if (now - last_ping >= std::chrono::milliseconds(ping_ms)) {
      std::string ping;
      jute::encode_request_frame(ping, jute::request{{jute::xid::ping, jute::opcode::ping}, {}});
      if (!send_frame(ping)) return lose_connection("send failed");
      last_ping = now;
    }
  }
}

void async_session::dispatch(const std::string& frame) {
  reply r;
  size_t offset = 0;
  if (jute::decode_reply_header(std::span<const char>(frame), r.header, offset) !=
      jute::decode_status::ok)
    return;
  r.body.assign(frame.data() + offset, frame.size() - offset);
  if (r.header.xid == jute::xid::ping) return;
  if (r.header.xid == jute::xid::notification) {
    jute::watcher_event event;
    if (jute::decode_event(std::span<const char>(r.body), event) == jute::decode_status::ok)
      on_event_(event);
    return;
  }
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(r.header.xid);
  if (it == waiting_.end()) return; // its caller timed out and left
  it->second->answer = std::move(r);
  it->second->done = true;
  waiting_.erase(it);
  answered_.notify_all();
}

void async_session::lose_connection(const std::string& why) {
  if (!connected_.exchange(false)) return;
  // Decided before the waiting callers wake: one of them may close() at once, and the loss
  // happened before that close.
  bool report = !closing_ && !close_requested_;
  {
    std::lock_guard lock(mutex_);
    error_ = why;
    for (auto& [xid, slot] : waiting_)
      slot->done = true;
    waiting_.clear();
    answered_.notify_all();
  }
  if (report)
    on_event_(jute::watcher_event{jute::event_type::none, jute::keeper_state::disconnected, ""});
}

void async_session::close() {
  if (fd_ < 0) return;
  if (connected_) {
    close_requested_ = true;
    auto saved = timeout_;
    timeout_ = std::min(timeout_, std::chrono::milliseconds(2000));
    (void)call(jute::opcode::close_session, jute::empty_request{});
    timeout_ = saved;
  }
  closing_ = true;
  connected_ = false;
  ::shutdown(fd_, SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  {
    std::lock_guard lock(send_mutex_);
    ::close(fd_);
    fd_ = -1;
  }
  std::lock_guard lock(mutex_);
  for (auto& [xid, slot] : waiting_)
    slot->done = true;
  waiting_.clear();
  answered_.notify_all();
}

} // namespace paddock::tools
