// The flow-control decisions of one client connection (protocol/client/flow_control.hpp).
#include "protocol/client/flow_control.hpp"

#include <catch2/catch.hpp>

using namespace paddock::client;
using change = output_backlog::change;

namespace {
flow_limits small_limits() {
  flow_limits l;
  l.max_queued_requests = 10;
  l.max_reads_in_flight = 3;
  l.output_low_water = 100;
  l.output_high_water = 400;
  l.output_hard_cap = 1000;
  return l;
}
} // namespace

TEST_CASE("limits leave room for two of the largest frames between the water marks") {
  auto l = flow_limits::for_max_buffer(0xfffff);
  CHECK(l.output_low_water >= 0xfffff + 1024);
  CHECK(l.output_high_water - l.output_low_water >= 2 * (0xfffff + 1024));
  CHECK(l.output_hard_cap >= l.output_high_water + l.max_reads_in_flight * (0xfffff + 1024));
  CHECK(l.max_queued_requests == 1000);
  auto big = flow_limits::for_max_buffer(16 << 20, 50);
  CHECK(big.output_high_water >= 3 * (16u << 20));
  CHECK(big.max_queued_requests == 50);
}

TEST_CASE("a socket that takes every write is never followed") {
  auto l = small_limits();
  output_backlog b(l);
  for (int i = 0; i < 100; ++i)
    CHECK(b.on_flushed(300, 0) == change::none);
  CHECK_FALSE(b.tracking());
  CHECK_FALSE(b.congested());
}

TEST_CASE("a backlog is followed from its first unsent byte until it drains") {
  auto l = small_limits();
  output_backlog b(l);
  CHECK(b.on_flushed(50, 50) == change::none);
  CHECK(b.tracking());
  CHECK(b.on_flushed(200, 250) == change::none);
  CHECK(b.pending() == 250);
  CHECK(b.on_flushed(200, 450) == change::congested); // 450 >= high water
  CHECK(b.congested());
  CHECK(b.on_flushed(10, 460) == change::none); // already congested
  CHECK(b.on_written(300) == change::none);     // between the marks: still congested
  CHECK(b.congested());
  CHECK(b.on_written(100) == change::cleared);
  CHECK_FALSE(b.congested());
  CHECK(b.tracking());
  CHECK(b.on_written(0) == change::none);
  CHECK_FALSE(b.tracking());
  CHECK(b.on_written(500) == change::none); // a late acknowledgement is ignored
}

TEST_CASE("a backlog at the hard cap asks for the connection to be closed") {
  auto l = small_limits();
  output_backlog b(l);
  b.on_flushed(10, 10);
  CHECK(b.on_flushed(500, 510) == change::congested);
  CHECK(b.on_flushed(600, 1110) == change::over_hard_cap);
}

TEST_CASE("the request window stops reading when full and reads again at half") {
  auto l = small_limits();
  request_window w(l);
  CHECK(w.may_decode(9));
  CHECK_FALSE(w.may_decode(10));
  CHECK_FALSE(w.update_reading(9));
  CHECK(w.reading());
  CHECK(w.update_reading(10));
  CHECK_FALSE(w.reading());
  CHECK_FALSE(w.update_reading(6));
  CHECK(w.update_reading(5));
  CHECK(w.reading());
}

TEST_CASE("reads in flight are bounded: nothing is dispatched while the output is congested") {
  auto l = small_limits();
  request_window w(l);
  CHECK(w.may_dispatch(true, 2, false));
  CHECK_FALSE(w.may_dispatch(true, 3, false));
  CHECK(w.may_dispatch(false, 3, false)); // a write's reply is small
  CHECK_FALSE(w.may_dispatch(false, 0, true));
  CHECK_FALSE(w.may_dispatch(true, 0, true));
}

TEST_CASE("the read size grows for a busy socket and shrinks back when it goes quiet") {
  read_sizer r;
  CHECK(r.current() == read_sizer::small);
  CHECK(r.after_read(100) == 0);
  CHECK(r.after_read(read_sizer::small) == read_sizer::large);
  CHECK(r.after_read(read_sizer::large) == 0);
  for (int i = 1; i < read_sizer::small_reads_to_shrink; ++i)
    CHECK(r.after_read(10) == 0);
  CHECK(r.after_read(10) == read_sizer::small);
  CHECK(r.current() == read_sizer::small);
}
