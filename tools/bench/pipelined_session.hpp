#pragma once
// One ZooKeeper session driven without blocking: requests are encoded into an output buffer
// and sent when the socket takes them; replies are matched against the requests in flight.
// ZooKeeper answers a session's requests in the order sent, so a reply must carry the xid
// of the oldest request in flight; anything else is a protocol violation and fails the
// session (that check is half of what makes the bench's figures trustworthy).
#include "protocol/jute/codec.hpp"
#include "protocol/jute/frame_decoder.hpp"
#include "protocol/jute/records.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <string>

namespace paddock::bench {

using clock = std::chrono::steady_clock;

struct in_flight {
  int32_t xid = 0;
  int32_t opcode = 0;
  clock::time_point sent;
  uint64_t tag = 0; // the phase's own bookkeeping (a key index, a measured flag, ...)
};

class pipelined_session {
public:
  pipelined_session(int fd, jute::frame_decoder decoder, int64_t session_id, int32_t first_xid,
                    int32_t timeout_ms);
  pipelined_session(pipelined_session&& other) noexcept;
  pipelined_session& operator=(pipelined_session&&) = delete;
  pipelined_session(const pipelined_session&) = delete;
  ~pipelined_session();

  int fd() const { return fd_; }
  int64_t session_id() const { return session_id_; }
  int32_t timeout_ms() const { return timeout_ms_; }
  size_t outstanding() const { return in_flight_.size(); }
  bool wants_write() const { return out_pos_ < out_.size(); }
  clock::time_point last_sent() const { return last_sent_; }
  const std::string& error() const { return error_; }

  void enqueue(int32_t opcode, const jute::request_body& body, uint64_t tag, clock::time_point now);
  void enqueue_ping(clock::time_point now);

  // Sends what the socket accepts. False on a socket error.
  bool flush();

  // One reply matched to its request. `body` is valid only during the callback.
  struct completion {
    const in_flight& request;
    const jute::reply_header& header;
    std::span<const char> body;
  };

  // Reads what is available and calls on_reply(completion) for each reply in order.
  // Returns false on EOF, a socket error or a protocol violation (see error()).
  template <class F> bool receive(F&& on_reply) {
    if (!read_available()) return false;
    std::span<const char> frame;
    while (decoder_.next(frame)) {
      jute::reply_header header;
      size_t offset = 0;
      if (!match(frame, header, offset)) return false;
      if (header.xid == jute::xid::notification) {
        ++notifications_;
        continue;
      }
      in_flight req = in_flight_.front();
      in_flight_.pop_front();
      on_reply(completion{req, header, frame.subspan(offset)});
    }
    if (decoder_.failed()) {
      error_ = "bad frame length " + std::to_string(decoder_.bad_length());
      return false;
    }
    return !eof_ || fail("connection closed by the server");
  }

  bool eof() const { return eof_; }
  // Watch events received (the bench's own sessions set none; --hold's do).
  uint64_t notifications() const { return notifications_; }

private:
  bool read_available();
  bool match(std::span<const char> frame, jute::reply_header& header, size_t& offset);
  bool fail(std::string message);

  int fd_;
  jute::frame_decoder decoder_;
  int64_t session_id_;
  int32_t next_xid_;
  int32_t timeout_ms_;
  int64_t last_zxid_ = 0;
  std::deque<in_flight> in_flight_;
  std::string out_;
  size_t out_pos_ = 0;
  clock::time_point last_sent_;
  bool eof_ = false;
  uint64_t notifications_ = 0;
  std::string error_;
};

} // namespace paddock::bench
