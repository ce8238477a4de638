// The server's clock reads the operating system's two clocks.
#include "actors/system_clock.hpp"

#include <catch2/catch.hpp>
#include <ctime>

using paddock::actors::system_clock;

TEST_CASE("system clock: the wall clock is the calendar's, the monotonic one never goes back") {
  system_clock c;
  const auto before_s = static_cast<int64_t>(std::time(nullptr));
  const auto wall = c.wall_ms();
  const auto after_s = static_cast<int64_t>(std::time(nullptr));
  CHECK(wall / 1000 >= before_s);
  CHECK(wall / 1000 <= after_s);

  auto last = c.monotonic_us();
  for (int i = 0; i < 1000; ++i) {
    const auto now = c.monotonic_us();
    CHECK(now >= last);
    last = now;
  }
  const auto ms = c.monotonic_ms(); // the same clock, in milliseconds
  CHECK(ms >= last / 1000);
  CHECK(ms <= c.monotonic_us() / 1000);
}
