// The test clock: it moves only when told, both clocks together, and a wall-clock jump
// leaves the monotonic clock alone.
#include "protocol/clock/manual.hpp"

#include <catch2/catch.hpp>

using paddock::clock::manual;

TEST_CASE("manual clock: stands still until advanced, then both clocks move together") {
  manual c(5'000, 1'000'000);
  CHECK(c.monotonic_us() == 5'000);
  CHECK(c.monotonic_ms() == 5);
  CHECK(c.wall_ms() == 1'000'000);
  CHECK(c.monotonic_us() == 5'000); // reading does not move it

  c.advance_ms(250);
  CHECK(c.monotonic_us() == 255'000);
  CHECK(c.wall_ms() == 1'000'250);

  // Sub-millisecond steps add up on the wall clock as whole milliseconds pass.
  for (int i = 0; i < 4; ++i)
    c.advance_us(250);
  CHECK(c.monotonic_us() == 256'000);
  CHECK(c.wall_ms() == 1'000'251);
}

TEST_CASE("manual clock: setting the wall clock does not move the monotonic one") {
  manual c;
  CHECK(c.wall_ms() == manual::default_wall_ms);
  c.advance_ms(10);
  c.set_wall_ms(42);
  CHECK(c.wall_ms() == 42);
  CHECK(c.monotonic_ms() == 10);
  c.advance_ms(1);
  CHECK(c.wall_ms() == 43);
}

TEST_CASE("manual clock: read through the interface the server context holds") {
  manual c(0, 7);
  const paddock::clock::source& s = c;
  c.advance_ms(3);
  CHECK(s.monotonic_ms() == 3);
  CHECK(s.wall_ms() == 10);
}
