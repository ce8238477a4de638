// The CPU meter both bench clients use for "µs of CPU per op".
#include "tools/bench/cpu_meter.hpp"

#include <catch2/catch.hpp>
#include <ctime>
#include <unistd.h>

using paddock::bench::cpu_meter;

namespace {

double process_cpu_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void burn_cpu(double seconds) {
  auto start = process_cpu_s();
  volatile uint64_t sink = 0;
  while (process_cpu_s() - start < seconds)
    sink = sink + 1;
}

} // namespace

TEST_CASE("a meter never started reports nothing", "[bench][cpu]") {
  cpu_meter meter({});
  CHECK_FALSE(meter.started());
  CHECK_FALSE(meter.stop(10));
}

TEST_CASE("the meter sees the CPU spent between start and stop", "[bench][cpu]") {
  // This process stands in for a server too: the same CPU shows on both sides.
  cpu_meter meter({static_cast<int>(::getpid())});
  meter.start();
  burn_cpu(0.3);
  auto w = meter.stop(1000);
  REQUIRE(w);
  CHECK(w->window_ops == 1000);
  CHECK(w->window_s > 0);
  CHECK(w->window_end_unix - w->window_start_unix == Approx(w->window_s).margin(0.05));
  CHECK(w->window_start_unix > 1.6e9); // a wall-clock time, not a monotonic one
  CHECK(w->client_cpu_s >= 0.2);
  CHECK(w->client_cpu_s <= w->window_s + 0.05);
  REQUIRE(w->server_cpu_s);
  CHECK(*w->server_cpu_s >= 0.2);
  CHECK(meter.warning().empty());
}

TEST_CASE("a server that is not there leaves the server figure empty, with a warning",
          "[bench][cpu]") {
  // pid_max is at most 2^22: this pid cannot exist.
  cpu_meter meter({static_cast<int>(::getpid()), 1 << 23});
  meter.start();
  auto w = meter.stop(1);
  REQUIRE(w);
  CHECK_FALSE(w->server_cpu_s);
  CHECK_FALSE(meter.warning().empty());
}
