#pragma once
// Flow control for one client connection: how much the server may hold for a client before
// it stops reading that client's socket, and when it gives up on the client. Pure decisions
// (no sockets, no clocks); the listener and the session actor feed them numbers and carry
// out what they answer.
//
// What a client can make the server hold, and what bounds each:
// - bytes it sent that are not yet decoded: the session stops decoding at
//   `max_queued_requests` and asks the listener to stop reading the socket;
// - decoded requests not yet answered: at most `max_queued_requests`;
// - replies being made (reads whose reply size is not known before they run): at most
//   `max_reads_in_flight` reads at a time, each at most one frame (jute.maxbuffer);
// - reply and event bytes not yet written to the socket: at `output_high_water` the
//   socket is not read and nothing new is dispatched until the backlog falls to
//   `output_low_water`; a connection that stays over for its session timeout, or reaches
//   `output_hard_cap` (events keep coming while nothing is dispatched), is closed. Its
//   session lives on, as after any disconnect.
#include <cstddef>
#include <cstdint>

namespace paddock::client {

struct flow_limits {
  // ZooKeeper's globalOutstandingLimit default; here it holds per connection.
  size_t max_queued_requests = 1000;
  size_t max_reads_in_flight = 32;
  size_t output_high_water = size_t{4} << 20;
  size_t output_low_water = size_t{1} << 20;
  size_t output_hard_cap = size_t{64} << 20;

  // The defaults, with room for at least two of the largest frames jute.maxbuffer allows
  // between the water marks, so one large reply never counts as a stalled client.
  static flow_limits for_max_buffer(int32_t max_buffer, int32_t outstanding_limit = 1000);
};

// The listener's view of one socket's unwritten bytes. `pending` is what the transport
// still holds: known exactly while write acknowledgements are on (`tracking()`), a lower
// bound otherwise.
class output_backlog {
public:
  enum class change { none, congested, cleared, over_hard_cap };

  explicit output_backlog(const flow_limits& limits) : limits_(&limits) {}
  output_backlog(const output_backlog&) = default;
  output_backlog& operator=(const output_backlog&) = default;

  // Bytes were queued and flushed; `unsent` is what the transport could not hand to the
  // kernel yet (its offline buffer). Acknowledgements should be on while this is non-zero.
  change on_flushed(size_t queued, size_t unsent);
  // The transport wrote some bytes; `remaining` is everything it still holds.
  change on_written(size_t remaining);

  bool congested() const { return congested_; }
  // Whether write acknowledgements are needed to follow the backlog.
  bool tracking() const { return tracking_; }
  size_t pending() const { return pending_; }

private:
  change settle();
  const flow_limits* limits_;
  size_t pending_ = 0;
  bool tracking_ = false;
  bool congested_ = false;
};

// The session's side: whether it may decode more of what the client sent, whether it
// should let the listener read the socket, and whether a request may be dispatched.
class request_window {
public:
  request_window() = default; // assign a window with limits before use
  explicit request_window(const flow_limits& limits) : limits_(&limits) {}

  // Room for one more decoded request (`queued` = waiting + in flight).
  bool may_decode(size_t queued) const { return queued < limits_->max_queued_requests; }
  // Reading stops when the window is full and starts again once half of it is free.
  // Returns true when the socket's reading should change to `reading()`.
  bool update_reading(size_t queued);
  bool reading() const { return reading_; }

  bool may_dispatch(bool is_read, size_t reads_in_flight, bool output_congested) const {
    if (output_congested) return false;
    return !is_read || reads_in_flight < limits_->max_reads_in_flight;
  }

private:
  const flow_limits* limits_ = nullptr;
  bool reading_ = true;
};

// How much to read from a socket at a time. The transport keeps a read buffer of that size
// for every connection, busy or idle, so an idle connection gets a small one (10,000
// connections x 64 KiB would be 640 MiB) and a connection whose reads fill it gets a large
// one, until its reads have been small for a while.
class read_sizer {
public:
  static constexpr size_t small = 4 * 1024;
  static constexpr size_t large = 64 * 1024;
  static constexpr int small_reads_to_shrink = 64;

  // After a read of `n` bytes: the size to read from now on, when it changes (else 0).
  size_t after_read(size_t n);
  size_t current() const { return current_; }

private:
  size_t current_ = small;
  int small_reads_ = 0;
};

} // namespace paddock::client
