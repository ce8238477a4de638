// A server's per-txn digest record and a learner's check against its leader's reports: every
// entry compared whichever comes first, the report or the learner's apply of that zxid; the
// first mismatch names the txn that made the trees differ; entries that cannot be compared
// are ignored, never guessed; the leader's report is every entry since the previous one; the
// `hash` history every 128th zxid.
#include "store/tree/digest_log.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <utility>
#include <vector>

using paddock::store::digest_log;
using entries = std::vector<std::pair<int64_t, int64_t>>;

namespace {

// A learner's log that applied zxids [from, to] with digest 10 * zxid.
digest_log applied_through(int64_t from, int64_t to) {
  digest_log log;
  for (int64_t z = from; z <= to; ++z)
    log.applied(z, 10 * z);
  return log;
}

} // namespace

TEST_CASE("digest log: every entry of a report for zxids already applied is compared") {
  auto log = applied_through(1, 6);
  auto c = log.leader_digests(entries{{1, 10}, {2, 20}, {3, 30}});
  CHECK_FALSE(c.first);
  CHECK(c.mismatches == 0);
  CHECK(log.compared() == 3);

  // The trees part at zxid 5: 5 and 6 differ, the first one named is 5, not the report's last.
  c = log.leader_digests(entries{{4, 40}, {5, 51}, {6, 61}});
  REQUIRE(c.first);
  CHECK(c.first->zxid == 5);
  CHECK(c.first->leader_digest == 51);
  CHECK(c.first->own_digest == 50);
  CHECK(c.mismatches == 2);
  CHECK(log.compared() == 6);
}

TEST_CASE("digest log: entries ahead of the learner wait for their txn, in zxid order") {
  auto log = applied_through(1, 1);
  auto c = log.leader_digests(entries{{2, 20}, {3, 31}, {4, 41}});
  CHECK_FALSE(c.first);
  CHECK(log.compared() == 0);
  CHECK(log.waiting() == 3);
  CHECK_FALSE(log.applied(2, 20));
  auto m = log.applied(3, 30);
  REQUIRE(m);
  CHECK(m->zxid == 3);
  CHECK(m->leader_digest == 31);
  CHECK(log.applied(4, 40)->zxid == 4);
  CHECK(log.compared() == 3);
  CHECK(log.waiting() == 0);
  CHECK_FALSE(log.applied(5, 50)); // each compared once
}

TEST_CASE("digest log: a report that straddles the learner's last zxid") {
  auto log = applied_through(1, 3);
  // 2 and 3 are compared now; 4 and 5 when they are applied.
  auto c = log.leader_digests(entries{{2, 20}, {3, 30}, {4, 40}, {5, 51}});
  CHECK_FALSE(c.first);
  CHECK(log.compared() == 2);
  CHECK_FALSE(log.applied(4, 40));
  auto m = log.applied(5, 50);
  REQUIRE(m);
  CHECK(m->zxid == 5);
}

TEST_CASE("digest log: what cannot be compared is ignored, not counted") {
  SECTION("a zxid older than anything remembered") {
    digest_log log;
    for (int64_t z = 10; z < 10 + static_cast<int64_t>(digest_log::recent_limit) + 5; ++z)
      log.applied(z, z);
    CHECK_FALSE(log.leader_digests(entries{{11, 0}, {12, 0}}).first);
    CHECK(log.compared() == 0);
  }
  SECTION("zxids at or before the snapshot that replaced the tree") {
    auto log = applied_through(1, 2);
    log.leader_digests(entries{{3, 1}, {4, 1}});
    log.tree_replaced(5); // a SNAP at zxid 5: 3 and 4 were never applied here
    CHECK(log.waiting() == 0);
    // A report the leader took before the SNAP reached this learner: all at or before 5.
    CHECK_FALSE(log.leader_digests(entries{{4, 1}, {5, 1}}).first);
    CHECK(log.waiting() == 0);
    CHECK_FALSE(log.applied(6, 60));
    CHECK(log.compared() == 0);
    // After the sync point, compared as usual.
    CHECK(log.leader_digests(entries{{5, 1}, {6, 61}}).first->zxid == 6);
  }
  SECTION("a learner that started from disk and joined mid-way (a DIFF)") {
    digest_log log;
    log.tree_replaced(100); // recovered at zxid 100
    // The leader's report reaches back before it: not waited for, not compared.
    CHECK_FALSE(log.leader_digests(entries{{98, 1}, {99, 1}, {100, 1}, {101, 1010}}).first);
    CHECK(log.waiting() == 1);
    CHECK_FALSE(log.applied(101, 1010));
    CHECK(log.compared() == 1);
  }
  SECTION("a zxid this server jumped over") {
    auto log = applied_through(1, 1);
    log.leader_digests(entries{{3, 1}});
    CHECK_FALSE(log.applied(4, 400));
    CHECK(log.compared() == 0);
    CHECK(log.waiting() == 0);
  }
  SECTION("gaps: zxids between two it applied (another epoch's numbering)") {
    digest_log log;
    log.applied(0x100000005, 1);
    log.applied(0x200000001, 2);
    auto c = log.leader_digests(entries{{0x100000009, 7}, {0x200000001, 2}});
    CHECK_FALSE(c.first);
    CHECK(log.compared() == 1);
  }
}

TEST_CASE("digest log: at most waiting_limit entries wait, the newest beyond are dropped") {
  auto log = applied_through(1, 1);
  entries ahead;
  for (int64_t z = 2; z < 2 + static_cast<int64_t>(digest_log::waiting_limit) + 10; ++z)
    ahead.emplace_back(z, 10 * z);
  log.leader_digests(ahead);
  CHECK(log.waiting() == digest_log::waiting_limit);
  const int64_t last_waiting = 1 + static_cast<int64_t>(digest_log::waiting_limit);
  for (int64_t z = 2; z <= last_waiting + 10; ++z)
    log.applied(z, z == last_waiting + 1 ? 0 : 10 * z); // a mismatch no entry waits for
  CHECK(log.compared() == digest_log::waiting_limit);
  CHECK(log.waiting() == 0);
}

TEST_CASE("digest log: the leader's report is every entry since the previous one") {
  auto log = applied_through(1, 5);
  auto r = log.since(-1);
  CHECK(r.entries == entries{{1, 10}, {2, 20}, {3, 30}, {4, 40}, {5, 50}});
  CHECK_FALSE(r.dropped_oldest);
  r = log.since(3);
  CHECK(r.entries == entries{{4, 40}, {5, 50}});
  CHECK(log.since(5).entries.empty());

  SECTION("more txns than it remembers since the previous report: the oldest are dropped") {
    digest_log big;
    const auto n = static_cast<int64_t>(digest_log::recent_limit);
    for (int64_t z = 1; z <= n + 3; ++z)
      big.applied(z, z);
    auto since0 = big.since(0);
    CHECK(since0.entries.size() == digest_log::recent_limit);
    CHECK(since0.entries.front().first == 4);
    CHECK(since0.dropped_oldest);
    CHECK_FALSE(big.since(3).dropped_oldest);
    CHECK(big.since(3).entries.size() == digest_log::recent_limit);
  }
  SECTION("after the tree was replaced, only what this server applied since") {
    log.tree_replaced(9);
    log.applied(10, 100);
    auto after = log.since(5);
    CHECK(after.entries == entries{{10, 100}});
    CHECK_FALSE(after.dropped_oldest);
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
