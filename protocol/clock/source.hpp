#pragma once
// Where a server's code reads the time: one interface with the two clocks ZooKeeper needs.
//   monotonic  never goes back and has no calendar meaning: durations, timers, session
//              expiry, ZAB's ticks and limits, latencies, uptime;
//   wall       milliseconds since the Unix epoch, as the calendar says (it may jump when the
//              system clock is set): ZooKeeper's ctime / mtime stamped into txns, TTL and
//              container expiry measured against them, session-id seeds, `cons`' times.
// The server context holds one (actors/system_clock reads the OS); tests hold a
// clock::manual and move it by hand. Integers rather than std::chrono so that the pure
// folders, which read no clock, may include this: what a core could take is the interface,
// never a clock of its own.
#include <cstdint>

namespace paddock::clock {

class source {
public:
  virtual ~source() = default;

  // Microseconds on the monotonic clock, from an arbitrary origin.
  virtual int64_t monotonic_us() const = 0;

  // Milliseconds since 1970-01-01 00:00 UTC.
  virtual int64_t wall_ms() const = 0;

  int64_t monotonic_ms() const { return monotonic_us() / 1000; }
};

} // namespace paddock::clock
