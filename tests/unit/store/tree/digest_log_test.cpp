// A learner's digest check: the leader's report compared whichever comes first, the report or
// the learner's apply of that zxid; reports it cannot compare dropped, never guessed; the
// `hash` history every 128th zxid.
#include "store/tree/digest_log.hpp"

#include <catch2/catch.hpp>

using paddock::store::digest_log;

TEST_CASE("digest log: a report for a zxid already applied is compared at once") {
  digest_log log;
  CHECK_FALSE(log.applied(1, 100));
  CHECK_FALSE(log.applied(2, 200));
  CHECK_FALSE(log.applied(3, 300));
  CHECK_FALSE(log.leader_digest(2, 200));
  CHECK(log.compared() == 1);
  auto m = log.leader_digest(3, 301);
  REQUIRE(m);
  CHECK(m->zxid == 3);
  CHECK(m->leader_digest == 301);
  CHECK(m->own_digest == 300);
}

TEST_CASE("digest log: a report ahead of the learner waits for its txn") {
  digest_log log;
  log.applied(1, 100);
  CHECK_FALSE(log.leader_digest(3, 999));
  CHECK(log.compared() == 0);
  CHECK_FALSE(log.applied(2, 200));
  auto m = log.applied(3, 300);
  REQUIRE(m);
  CHECK(m->zxid == 3);
  CHECK(log.compared() == 1);
  CHECK_FALSE(log.applied(4, 400)); // compared once
}

TEST_CASE("digest log: what cannot be compared is dropped, not counted") {
  digest_log log;
  SECTION("a zxid older than anything remembered") {
    for (int64_t z = 10; z < 10 + static_cast<int64_t>(digest_log::recent_limit) + 5; ++z)
      log.applied(z, z);
    CHECK_FALSE(log.leader_digest(11, 0));
    CHECK(log.compared() == 0);
  }
  SECTION("a zxid skipped by a snapshot") {
    log.applied(1, 100);
    log.leader_digest(3, 1);
    log.tree_replaced(); // a SNAP at zxid 5
    CHECK_FALSE(log.applied(6, 600));
    CHECK(log.compared() == 0);
  }
  SECTION("a zxid this server jumped over") {
    log.applied(1, 100);
    log.leader_digest(3, 1);
    CHECK_FALSE(log.applied(4, 400));
    CHECK(log.compared() == 0);
  }
  SECTION("a zxid between two it applied (another epoch's numbering)") {
    log.applied(0x100000005, 1);
    log.applied(0x200000001, 2);
    CHECK_FALSE(log.leader_digest(0x100000009, 7));
    CHECK(log.compared() == 0);
  }
}

TEST_CASE("digest log: the hash history keeps every 128th zxid, the newest 1024") {
  digest_log log;
  for (int64_t z = 1; z <= 128 * 1030; ++z)
    log.applied(z, z * 2);
  REQUIRE(log.history().size() == digest_log::history_limit);
  CHECK(log.history().front().first == 128 * 7);
  CHECK(log.history().back() == std::make_pair(int64_t{128 * 1030}, int64_t{128 * 1030 * 2}));
}
