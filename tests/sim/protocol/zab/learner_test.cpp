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
