// Focused tests of the ZAB core: a peer as a whole (zab::peer), one rule each, driven by hand.
#include "core_helpers.hpp"
#include "protocol/zab/peer.hpp"

#include <catch2/catch.hpp>

using namespace paddock::zab;
using namespace paddock::zab::testing;

TEST_CASE("zab core: a one-server ensemble leads at once, and commits on its own log") {
  peer p(1, voters(1), fast(), {});
  p.start(0);
  p.on_tick(100); // after the finalize wait
  auto a = p.take_actions();
  auto persisted = all_of<persist_epochs>(a);
  REQUIRE(persisted.size() == 2); // accepted epoch, then current epoch
  CHECK(persisted[0].accepted_epoch == 1);
  CHECK(persisted[1].current_epoch == 1);
  CHECK(p.serving());
  auto z = p.propose(1, "x");
  REQUIRE(z);
  CHECK(*z == make_zxid(1, 1));
  a = p.take_actions();
  CHECK(all_of<append_log>(a).size() == 1);
  CHECK(all_of<apply_txns>(a).empty()); // not before it is durable
  p.on_logged(2, *z);
  a = p.take_actions();
  auto applied = all_of<apply_txns>(a);
  REQUIRE(applied.size() == 1);
  CHECK(applied[0].txns.at(0).payload == "x");
}
