// Focused tests of the ZAB core: the election (zab::election, and a peer while it is looking), one
// rule each, driven by hand.
#include "core_helpers.hpp"
#include "protocol/zab/election.hpp"
#include "protocol/zab/peer.hpp"

#include <catch2/catch.hpp>

using namespace paddock::zab;
using namespace paddock::zab::testing;

TEST_CASE("zab core: votes order by epoch, then zxid, then server id") {
  CHECK(beats({1, 5, 2}, {3, 9, 1}));
  CHECK(beats({1, 9, 1}, {3, 5, 1}));
  CHECK(beats({3, 5, 1}, {1, 5, 1}));
  CHECK_FALSE(beats({1, 5, 1}, {1, 5, 1}));
}

TEST_CASE("zab core: the election waits for a quorum and the finalize wait") {
  peer p(2, voters(3), fast(), {});
  p.start(0);
  auto a = p.take_actions();
  CHECK(sent<notification>(a).size() == 2);
  // Server 3 has a newer history: 2 adopts its vote and tells everyone.
  p.on_message(1, 3, notification{{3, 10, 0}, 1, role::looking, {}});
  a = p.take_actions();
  auto n = sent<notification>(a);
  REQUIRE(n.size() == 2);
  CHECK(n[0].second.proposed.leader == 3);
  // A quorum (2 and 3) agrees: decided after the finalize wait, not before.
  p.on_tick(30);
  CHECK(p.current_role() == role::looking);
  p.on_tick(100);
  CHECK(p.current_role() == role::following);
  a = p.take_actions();
  auto info = sent<learner_info>(a);
  REQUIRE(info.size() == 1);
  CHECK(info[0].first == 3);
}

TEST_CASE("zab core: a leader's word from an earlier election does not elect it again") {
  // Found by the chaos harness (pause-leader): server 2 noticed its paused leader 3 first,
  // started a new election, and at once followed 3 again on the word of server 1 (which had
  // not noticed yet) plus 3's "I lead" kept from the previous election; it then waited
  // initLimit for a leader that never answered. docs/reliability.md, bug 1.
  const auto t = fast();
  const auto members = voters(3);
  const std::optional<ensemble> no_reconfig;
  election e(2, members, no_reconfig, t);
  const auto ignore = [](server_id, const notification&) {};
  e.start_round(0, {2, 10, 1}, ignore);
  const vote three{3, 10, 1};
  CHECK_FALSE(
      e.on_notification(1, 3, notification{three, 1, role::leading, {}}, role::looking, ignore));
  auto decided =
      e.on_notification(2, 1, notification{three, 1, role::following, {}}, role::looking, ignore);
  REQUIRE(decided);
  CHECK(decided->leader == 3);

  // Leader 3 goes silent: a new election. Server 1 still follows 3; 3 says nothing.
  e.start_round(5000, {2, 20, 1}, ignore);
  CHECK_FALSE(e.on_notification(5001, 1, notification{three, 1, role::following, {}}, role::looking,
                                ignore));
  // Should 3 really lead again, it says so in this election, and 2 joins it.
  decided =
      e.on_notification(5002, 3, notification{three, 1, role::leading, {}}, role::looking, ignore);
  REQUIRE(decided);
  CHECK(decided->leader == 3);
}

TEST_CASE("zab core: a server looking again takes back what it said as a follower") {
  // Found by the simulation (seed 3805, reconfiguration with pauses): server 3 kept server 1's
  // "I follow 3" from an earlier round after 1 had started looking with a longer history, and
  // with 2's stale "I follow 3" elected itself; 1's ack_epoch then showed it ahead, 3 stepped
  // down, and the same words elected it again, round after round.
  const auto t = fast();
  const auto members = voters(3);
  const std::optional<ensemble> no_reconfig;
  election e(3, members, no_reconfig, t);
  const auto ignore = [](server_id, const notification&) {};
  const vote three{3, 0xbd, 3};
  e.start_round(0, three, ignore);
  e.start_round(10, three, ignore); // round 2
  CHECK_FALSE(
      e.on_notification(11, 1, notification{three, 1, role::following, {}}, role::looking, ignore));
  // Server 1 is looking now, with more history: its vote wins.
  CHECK_FALSE(e.on_notification(12, 1, notification{{1, 0x125, 3}, 2, role::looking, {}},
                                role::looking, ignore));
  // Server 2 still follows 3 (it has not noticed 3 stepped down): one word is no quorum.
  CHECK_FALSE(
      e.on_notification(13, 2, notification{three, 2, role::following, {}}, role::looking, ignore));
  // 2 looks too, and votes for 1 as 3 does: every voter agrees, 1 is elected at once.
  auto decided = e.on_notification(14, 2, notification{{1, 0x125, 3}, 2, role::looking, {}},
                                   role::looking, ignore);
  REQUIRE(decided);
  CHECK(decided->leader == 1);
}
