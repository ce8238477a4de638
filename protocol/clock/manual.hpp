#pragma once
// A clock that moves only when told: what tests give the server context, so that expiry,
// ticks and stamped times follow the test's script rather than the machine. Both clocks move
// together on advance (as real time does); set_wall_ms jumps the wall clock alone (as when
// the system clock is set), which the monotonic clock never does.
// Reads and moves are atomic: a detached actor (its own thread) may read while the test
// thread moves it.
#include "protocol/clock/source.hpp"

#include <atomic>
#include <cstdint>

namespace paddock::clock {

class manual final : public source {
public:
  // 2023-11-14 22:13:20 UTC: any fixed wall time serves; a recent one keeps stamped times
  // plausible in what a test prints.
  static constexpr int64_t default_wall_ms = 1'700'000'000'000;

  explicit manual(int64_t monotonic_us = 0, int64_t wall_ms = default_wall_ms)
      : monotonic_us_(monotonic_us), wall_ms_(wall_ms) {}

  int64_t monotonic_us() const override { return monotonic_us_.load(); }
  int64_t wall_ms() const override { return wall_ms_.load(); }

  // Time passes: both clocks move by `us` (the wall clock by whole milliseconds).
  void advance_us(int64_t us) {
    const int64_t before = monotonic_us_.fetch_add(us);
    wall_ms_.fetch_add((before + us) / 1000 - before / 1000);
  }
  void advance_ms(int64_t ms) { advance_us(ms * 1000); }

  // The wall clock is set (forwards or back); the monotonic clock does not notice.
  void set_wall_ms(int64_t ms) { wall_ms_.store(ms); }

private:
  std::atomic<int64_t> monotonic_us_;
  std::atomic<int64_t> wall_ms_;
};

} // namespace paddock::clock
