// Tick-bucket expiry, ZooKeeper's session id layout and the session password.
#include "store/sessions/session_expiry.hpp"

#include <catch2/catch.hpp>

using paddock::store::initial_session_id;
using paddock::store::session_expiry;
using paddock::store::session_password;

TEST_CASE("deadlines round up to the next tick boundary") {
  session_expiry e{2000};
  e.add(1, 4000, 10'500); // 14'500 -> 16'000
  CHECK(e.next_deadline() == 16'000);
  CHECK(e.expire(15'999).empty());
  CHECK(e.expire(16'000) == std::vector<int64_t>{1});
  CHECK(e.size() == 0);
  CHECK(e.next_deadline() == -1);
}

TEST_CASE("touching moves a session to a later bucket") {
  session_expiry e{1000};
  e.add(1, 3000, 0); // deadline 4000
  e.add(2, 3000, 0);
  CHECK(e.touch(1, 500));  // 3500 -> 4000: same bucket
  CHECK(e.touch(1, 2500)); // -> 6000
  CHECK(e.expire(4000) == std::vector<int64_t>{2});
  CHECK(e.contains(1));
  CHECK(e.expire(5999).empty());
  CHECK(e.expire(6000) == std::vector<int64_t>{1});
  CHECK_FALSE(e.touch(1, 7000)); // gone
}

TEST_CASE("expire returns the oldest buckets first: remove and re-add work") {
  session_expiry e{100};
  e.add(3, 500, 0); // 600
  e.add(4, 200, 0); // 300
  e.add(5, 900, 0); // 1000
  e.remove(5);
  e.add(6, 200, 50); // 300
  auto gone = e.expire(10'000);
  REQUIRE(gone.size() == 3);
  CHECK(gone.back() == 3);
  e.add(3, 100, 0);
  CHECK(e.timeout_of(3) == 100);
}

TEST_CASE("session ids follow ZooKeeper's layout") {
  // Java: ((time << 24) >>> 8) | (sid << 56)
  const int64_t now = 0x0000018c2a4b5c6dLL;
  const uint64_t expected = ((static_cast<uint64_t>(now) << 24) >> 8) | (uint64_t{7} << 56);
  CHECK(initial_session_id(7, now) == static_cast<int64_t>(expected));
  CHECK((static_cast<uint64_t>(initial_session_id(1, now)) >> 56) == 1);
  CHECK((static_cast<uint64_t>(initial_session_id(0, now)) >> 56) == 0);
}

TEST_CASE("passwords are 16 bytes, deterministic, and depend on id and secret") {
  auto a = session_password(42, 1);
  CHECK(a.size() == 16);
  CHECK(a == session_password(42, 1));
  CHECK(a != session_password(43, 1));
  CHECK(a != session_password(42, 2));
}

TEST_CASE("buckets lists each deadline's sessions, soonest first (the dump command)") {
  session_expiry e(100);
  e.add(3, 1000, 0);  // deadline 1100
  e.add(1, 1000, 50); // 1100
  e.add(2, 2000, 0);  // 2100
  using buckets_t = std::vector<std::pair<int64_t, std::vector<int64_t>>>;
  CHECK(e.buckets() == buckets_t{{1100, {1, 3}}, {2100, {2}}});
  e.remove(2);
  CHECK(e.buckets() == buckets_t{{1100, {1, 3}}});
}
