// Focused tests of the ZAB core: the learner side of a peer, one rule each, driven by hand.
#include "core_helpers.hpp"
#include "protocol/zab/peer.hpp"

#include <catch2/catch.hpp>

using namespace paddock::zab;
using namespace paddock::zab::testing;

TEST_CASE("zab core: a learner persists the epoch before acking it, and acks an epoch only once") {
  peer p(2, voters(3), fast(), {});
  p.start(0);
  p.on_message(1, 3, notification{{3, 10, 0}, 1, role::looking, {}});
  p.on_tick(200);
  REQUIRE(p.current_role() == role::following);
  p.take_actions();
  p.on_message(201, 3, leader_info{4});
  auto a = p.take_actions();
  REQUIRE(a.size() == 2);
  REQUIRE(std::holds_alternative<persist_epochs>(a[0]));
  CHECK(std::get<persist_epochs>(a[0]).accepted_epoch == 4);
  auto acks = sent<ack_epoch>(a);
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].second.current_epoch == 0);
  CHECK(p.accepted_epoch() == 4);
}

TEST_CASE("zab core: a learner synced by SNAP installs the image the transport brought, by "
          "zxid alone, and logs what follows it") {
  peer p(2, voters(3), fast(), {});
  p.start(0);
  p.on_message(1, 3, notification{{3, 10, 0}, 1, role::looking, {}});
  p.on_tick(200);
  REQUIRE(p.current_role() == role::following);
  p.on_message(201, 3, leader_info{4});
  p.take_actions();
  // The image's bytes never pass through the core: the sync_snap names the zxid (and the
  // transport's stream), and install_snapshot asks for the image of that zxid.
  p.on_message(202, 3, sync_snap{make_zxid(4, 5), 9});
  auto a = p.take_actions();
  auto installs = all_of<install_snapshot>(a);
  REQUIRE(installs.size() == 1);
  CHECK(installs[0].zxid == make_zxid(4, 5));
  p.on_message(203, 3, proposal{{{make_zxid(4, 6), "after", std::nullopt}}});
  a = p.take_actions();
  auto appends = all_of<append_log>(a);
  REQUIRE(appends.size() == 1);
  CHECK(appends[0].txns.front().zxid == make_zxid(4, 6));
}

TEST_CASE("zab core: a learner told its state diverged leaves its leader and asks for a SNAP "
          "until one comes") {
  peer p(2, voters(3), fast(), {});
  p.start(0);
  int64_t now = 1;
  int64_t round = 0; // each time it looks again, this server starts a new election round
  auto follow_3 = [&] {
    p.on_message(now, 3, notification{{3, 10, 0}, ++round, role::looking, {}});
    now += 200;
    p.on_tick(now);
    REQUIRE(p.current_role() == role::following);
    auto infos = sent<learner_info>(p.take_actions());
    REQUIRE(infos.size() == 1);
    return infos[0].second;
  };
  CHECK_FALSE(follow_3().wants_snapshot);
  p.resync_by_snapshot(now);
  CHECK(p.current_role() == role::looking);
  p.take_actions();
  CHECK(follow_3().wants_snapshot);
  SECTION("a leave for another reason still asks for it") {
    p.on_peer_down(now, 3);
    REQUIRE(p.current_role() == role::looking);
    p.take_actions();
    CHECK(follow_3().wants_snapshot);
  }
  SECTION("the SNAP ends the request") {
    p.on_message(now, 3, leader_info{4});
    p.on_message(now, 3, sync_snap{10, 1}); // not past 3's vote: it still wins
    CHECK(all_of<install_snapshot>(p.take_actions()).size() == 1);
    p.on_peer_down(now, 3);
    p.take_actions();
    CHECK_FALSE(follow_3().wants_snapshot);
  }
}

TEST_CASE("zab core: a learner whose leader looks again after its leader_info looks too, at once") {
  // ZooKeeper's follower sees its leader's connection close; here the links outlive the
  // roles, so the leader's own "looking" is the sign. Waiting initLimit instead kept telling
  // the others "I follow 3" (simulation seed 3805, reconfiguration with pauses).
  peer p(2, voters(3), fast(), {});
  p.start(0);
  p.on_message(1, 3, notification{{3, 10, 0}, 1, role::looking, {}});
  p.on_tick(200);
  REQUIRE(p.current_role() == role::following);
  // Before its leader_info, a "looking" from it may be from before it decided (even of a
  // later round than ours: rounds are per server): not news.
  p.on_message(201, 3, notification{{3, 10, 0}, 2, role::looking, {}});
  CHECK(p.current_role() == role::following);
  p.on_message(202, 3, leader_info{4});
  // Another server looking is not our leader's word.
  p.on_message(203, 1, notification{{1, 5, 0}, 3, role::looking, {}});
  CHECK(p.current_role() == role::following);
  // Our leader looking after its leader_info has stepped down.
  p.on_message(204, 3, notification{{3, 10, 0}, 2, role::looking, {}});
  CHECK(p.current_role() == role::looking);
}
