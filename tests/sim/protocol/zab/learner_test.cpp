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
