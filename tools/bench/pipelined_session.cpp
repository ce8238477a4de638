#include "tools/bench/pipelined_session.hpp"

#include "protocol/jute/error_code.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace paddock::bench {

pipelined_session::pipelined_session(int fd, jute::frame_decoder decoder, int64_t session_id,
                                     int32_t first_xid, int32_t timeout_ms)
    : fd_(fd), decoder_(std::move(decoder)), session_id_(session_id), next_xid_(first_xid),
      timeout_ms_(timeout_ms), last_sent_(clock::now()) {}

pipelined_session::pipelined_session(pipelined_session&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), decoder_(std::move(other.decoder_)),
      session_id_(other.session_id_), next_xid_(other.next_xid_), timeout_ms_(other.timeout_ms_),
      last_zxid_(other.last_zxid_), in_flight_(std::move(other.in_flight_)),
      out_(std::move(other.out_)), out_pos_(other.out_pos_), last_sent_(other.last_sent_),
      eof_(other.eof_), notifications_(other.notifications_), error_(std::move(other.error_)) {}

pipelined_session::~pipelined_session() {
  if (fd_ >= 0) ::close(fd_);
}

void pipelined_session::enqueue(int32_t opcode, const jute::request_body& body, uint64_t tag,
                                clock::time_point now) {
  // xids are positive and increasing; wrap well before int32 overflow (never reached in
  // practice: 2^31 requests on one session).
  int32_t xid = next_xid_;
  next_xid_ = next_xid_ == INT32_MAX ? 1 : next_xid_ + 1;
  jute::encode_request_frame(out_, jute::request{{xid, opcode}, body});
  in_flight_.push_back(in_flight{xid, opcode, now, tag});
  last_sent_ = now;
}

void pipelined_session::enqueue_ping(clock::time_point now) {
  jute::encode_request_frame(
      out_, jute::request{{jute::xid::ping, jute::opcode::ping}, jute::empty_request{}});
  in_flight_.push_back(in_flight{jute::xid::ping, jute::opcode::ping, now, 0});
  last_sent_ = now;
}

bool pipelined_session::flush() {
  while (out_pos_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      return fail(std::string("send failed: ") + std::strerror(errno));
    }
    out_pos_ += static_cast<size_t>(n);
  }
  out_.clear();
  out_pos_ = 0;
  return true;
}

bool pipelined_session::read_available() {
  std::array<char, 65536> buf;
  for (;;) {
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n > 0) {
      decoder_.feed(std::span<const char>(buf.data(), static_cast<size_t>(n)));
      if (static_cast<size_t>(n) < buf.size()) return true;
      continue;
    }
    if (n == 0) {
      eof_ = true;
      return true; // let the caller take the frames already buffered first
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    return fail(std::string("receive failed: ") + std::strerror(errno));
  }
}

bool pipelined_session::match(std::span<const char> frame, jute::reply_header& header,
                              size_t& offset) {
  auto status = jute::decode_reply_header(frame, header, offset);
  if (status != jute::decode_status::ok)
    return fail("bad reply header: " + std::string(jute::decode_status_name(status)));
  if (header.xid == jute::xid::notification)
    return true; // counted by receive(); never matched against a request
  if (in_flight_.empty())
    return fail("reply for xid " + std::to_string(header.xid) + " with nothing in flight");
  if (header.xid != in_flight_.front().xid)
    return fail("reply for xid " + std::to_string(header.xid) +
                " but the oldest request in "
                "flight is xid " +
                std::to_string(in_flight_.front().xid) + " (replies out of order)");
  // Every reply carries the zxid the server had reached; within one session it never goes
  // back (a client's lastZxidSeen relies on it). Errors may carry zxid 0 in some servers'
  // paths, so only compare positive values.
  if (header.zxid > 0) {
    if (header.zxid < last_zxid_)
      return fail("reply zxid " + std::to_string(header.zxid) + " below an earlier one (" +
                  std::to_string(last_zxid_) + ")");
    last_zxid_ = header.zxid;
  }
  return true;
}

bool pipelined_session::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

} // namespace paddock::bench
