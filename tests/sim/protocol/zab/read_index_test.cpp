// Focused tests of the ZAB core: linearizable reads (read_index.cpp) and their batching
// (read_batches, read_queue), one rule each, driven by hand.
#include "core_helpers.hpp"
#include "protocol/zab/peer.hpp"
#include "protocol/zab/read_batches.hpp"
#include "protocol/zab/read_queue.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace paddock::zab;
using namespace paddock::zab::testing;

namespace {

// Server 1 leading five voters, established with followers 2 and 3 (a quorum with itself);
// 4 and 5 never joined.
struct serving_leader {
  peer p;
  int64_t now = 1000;
  serving_leader() : p(1, voters(5), fast(), {}) {
    p.start(now);
    p.take_actions();
    const vote v{1, p.last_logged(), p.epoch()};
    for (server_id s : {2, 3})
      p.on_message(now, s, notification{v, 1, role::looking, {}});
    now += 60;
    p.on_tick(now);
    REQUIRE(p.current_role() == role::leading);
    for (server_id s : {2, 3})
      p.on_message(now, s, learner_info{0, 0, false});
    for (server_id s : {2, 3})
      p.on_message(now, s, ack_epoch{0, 0});
    p.on_logged(now, 0);
    for (server_id s : {2, 3})
      p.on_message(now, s, ack{make_zxid(1, 0)});
    p.take_actions();
    REQUIRE(p.serving());
  }
  // A write committed by the leader and followers 2, 3.
  zxid_t commit_write() {
    auto z = p.propose(now, "w");
    REQUIRE(z);
    p.on_logged(now, *z);
    p.on_message(now, 2, ack{*z});
    p.on_message(now, 3, ack{*z});
    p.take_actions();
    REQUIRE(p.last_committed() == *z);
    return *z;
  }
};

std::vector<read_index_ready> ready(const std::vector<action>& a) {
  return all_of<read_index_ready>(a);
}

} // namespace

TEST_CASE("zab core: a read round is confirmed by a quorum of echoes, with the commit point at "
          "its start") {
  serving_leader f;
  const auto z1 = f.commit_write();
  auto round = f.p.read_index(f.now);
  REQUIRE(round);
  auto a = f.p.take_actions();
  auto pings = sent<read_round>(a);
  REQUIRE(pings.size() == 2); // to the followers that acked NEWLEADER
  for (const auto& [to, pg] : pings)
    CHECK(pg.round == *round);
  CHECK(ready(a).empty());

  // A write commits while the round is in flight: the index stays at the round's start.
  f.commit_write();
  f.p.on_message(f.now, 2, read_round{*round});
  CHECK(ready(f.p.take_actions()).empty()); // itself and 2: two of five
  SECTION("an echo of another round, or an echo twice, does not count") {
    f.p.on_message(f.now, 2, read_round{*round});
    f.p.on_message(f.now, 3, read_round{*round + 1});
    f.p.on_message(f.now, 3, ping{}); // a ping is no echo
    CHECK(ready(f.p.take_actions()).empty());
  }
  SECTION("a third echo makes a quorum") {
    f.p.on_message(f.now, 3, read_round{*round});
    auto r = ready(f.p.take_actions());
    REQUIRE(r.size() == 1);
    CHECK(r[0].round == *round);
    CHECK(r[0].index == z1);
  }
}

TEST_CASE("zab core: reads that arrive during a round share the next one") {
  serving_leader f;
  auto first = f.p.read_index(f.now);
  f.p.take_actions();
  auto second = f.p.read_index(f.now);
  auto third = f.p.read_index(f.now);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*second == *first + 1);
  CHECK(third == second);
  CHECK(sent<read_round>(f.p.take_actions()).empty()); // one round in flight at a time
  const auto z = f.commit_write();
  f.p.on_message(f.now, 2, read_round{*first});
  f.p.on_message(f.now, 3, read_round{*first});
  auto a = f.p.take_actions();
  auto r = ready(a);
  REQUIRE(r.size() == 1);
  CHECK(r[0].round == *first);
  auto pings = sent<read_round>(a); // the next round starts at once, with the newer commit point
  REQUIRE(pings.size() == 2);
  CHECK(pings[0].second.round == *second);
  f.p.on_message(f.now, 2, read_round{*second});
  f.p.on_message(f.now, 3, read_round{*second});
  r = ready(f.p.take_actions());
  REQUIRE(r.size() == 1);
  CHECK(r[0].round == *second);
  CHECK(r[0].index == z);
}

TEST_CASE("zab core: with its pings the leader asks again the followers that have not echoed "
          "the round in flight") {
  serving_leader f;
  auto round = f.p.read_index(f.now);
  f.p.take_actions();
  f.p.on_message(f.now, 2, read_round{*round});
  f.p.on_message(f.now, 3, ping{});
  f.p.on_tick(f.now += 100);
  auto again = sent<read_round>(f.p.take_actions());
  REQUIRE(again.size() == 1);
  CHECK(again[0].first == 3);
  CHECK(again[0].second.round == *round);
}

TEST_CASE("zab core: a leader cut off from its quorum never confirms a read, and abandons it "
          "when it steps down") {
  serving_leader f;
  auto round = f.p.read_index(f.now);
  REQUIRE(round);
  f.p.take_actions();
  // Followers 2 and 3 are on the other side of a partition: no echo. Pings go out; nothing
  // is confirmed until the leader gives up after syncLimit.
  bool confirmed = false;
  for (int i = 0; i < 12 && f.p.current_role() == role::leading; ++i) {
    f.p.on_tick(f.now += 100);
    confirmed = confirmed || !ready(f.p.take_actions()).empty();
  }
  CHECK_FALSE(confirmed);
  CHECK(f.p.current_role() == role::looking);
  CHECK_FALSE(f.p.read_index(f.now)); // not a serving leader
  // An echo arriving late (a leadership that ended) confirms nothing.
  f.p.on_message(f.now, 2, read_round{*round});
  CHECK(ready(f.p.take_actions()).empty());
}

TEST_CASE("zab core: observers' echoes do not count for a read round") {
  ensemble e = voters(3);
  e.members[4] = false; // an observer
  peer p(1, e, fast(), {});
  int64_t now = 1000;
  p.start(now);
  const vote v{1, 0, 0};
  p.on_message(now, 2, notification{v, 1, role::looking, {}});
  p.on_tick(now += 60);
  REQUIRE(p.current_role() == role::leading);
  p.on_message(now, 2, learner_info{0, 0, false});
  p.on_message(now, 2, ack_epoch{0, 0});
  p.on_message(now, 4, learner_info{0, 0, true});
  p.on_message(now, 4, ack_epoch{0, 0});
  p.on_logged(now, 0);
  p.on_message(now, 2, ack{make_zxid(1, 0)});
  p.on_message(now, 4, ack{make_zxid(1, 0)});
  p.take_actions();
  REQUIRE(p.serving());
  auto round = p.read_index(now);
  REQUIRE(round);
  auto pings = sent<read_round>(p.take_actions());
  REQUIRE(pings.size() == 1);
  CHECK(pings[0].first == 2);
  p.on_message(now, 4, read_round{*round});
  CHECK(ready(p.take_actions()).empty());
  p.on_message(now, 2, read_round{*round});
  CHECK(ready(p.take_actions()).size() == 1);
}

TEST_CASE("zab core: a leader that is a quorum alone confirms a read at once") {
  peer p(1, voters(1), fast(), {});
  p.start(0);
  p.on_tick(100);
  p.on_logged(100, 0);
  p.take_actions();
  REQUIRE(p.serving());
  auto round = p.read_index(100);
  REQUIRE(round);
  auto r = ready(p.take_actions());
  REQUIRE(r.size() == 1);
  CHECK(r[0].round == *round);
}

TEST_CASE("zab core: a learner echoes its leader's read round") {
  peer p(2, voters(3), fast(), {});
  p.start(0);
  p.on_message(1, 3, notification{{3, 0, 0}, 1, role::looking, {}});
  p.on_tick(200);
  REQUIRE(p.current_role() == role::following);
  p.on_message(201, 3, leader_info{1});
  p.on_message(201, 3, sync_diff{0});
  p.take_actions();
  p.on_message(202, 3, read_round{7});
  auto echoes = sent<read_round>(p.take_actions());
  REQUIRE(echoes.size() == 1);
  CHECK(echoes[0].first == 3);
  CHECK(echoes[0].second.round == 7);
}

TEST_CASE("read batches: one round in flight, the reads meanwhile share the next") {
  read_batches b;
  CHECK_FALSE(b.in_flight());
  auto t1 = b.add();
  CHECK(t1.round == 1);
  CHECK(t1.start);
  auto t2 = b.add();
  auto t3 = b.add();
  CHECK(t2.round == 2);
  CHECK_FALSE(t2.start);
  CHECK(t3.round == 2);
  CHECK(b.in_flight() == 1u);
  CHECK(b.finish() == 2u); // round 2 starts now
  CHECK(b.in_flight() == 2u);
  CHECK_FALSE(b.finish()); // nobody waits
  CHECK_FALSE(b.in_flight());
  auto t4 = b.add();
  CHECK(t4.round == 3);
  CHECK(t4.start);
  b.add();
  b.reset(); // abandoned: numbering goes on
  CHECK_FALSE(b.in_flight());
  CHECK(b.add().round == 4);
}

TEST_CASE("read queue: reads leave in order, once confirmed and their index applied") {
  read_queue<std::string> q;
  std::vector<std::string> served;
  auto serve = [&](std::string r) { served.push_back(std::move(r)); };
  q.push(1, "a");
  q.push(1, "b");
  q.push(2, "c");
  q.release(100, serve);
  CHECK(served.empty()); // nothing confirmed
  q.confirm(1, 50);
  q.release(40, serve);
  CHECK(served.empty()); // index 50 not applied yet
  q.release(50, serve);
  CHECK(served == std::vector<std::string>{"a", "b"});
  q.push(3, "d");
  q.confirm(3, 70); // confirms rounds 2 and 3 together
  q.release(60, serve);
  CHECK(served.size() == 2);
  q.release(70, serve);
  CHECK(served == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(q.empty());
  q.push(4, "e");
  q.clear();
  q.confirm(4, 0);
  q.release(100, serve);
  CHECK(served.size() == 4);
}

TEST_CASE("read queue: a confirmed read keeps its index while later rounds are confirmed") {
  read_queue<std::string> q;
  std::vector<std::string> served;
  auto serve = [&](std::string r) { served.push_back(std::move(r)); };
  q.push(1, "a");
  q.confirm(1, 50);
  q.push(2, "b");
  q.confirm(2, 80); // "a" still waits for 50: its index stays 50, not 80
  q.release(60, serve);
  CHECK(served == std::vector<std::string>{"a"});
  q.confirm(2, 90); // a round confirmed again (an old answer) changes nothing
  q.push(3, "c");
  q.release(80, serve);
  CHECK(served == std::vector<std::string>{"a", "b"});
  q.confirm(3, 85);
  q.release(85, serve);
  CHECK(served == std::vector<std::string>{"a", "b", "c"});
  CHECK(q.empty());
}

TEST_CASE("zab core: while a reconfig waits for the new configuration's quorum, the read index "
          "is the newest txn before it, never a zxid no txn has") {
  // Found by the simulation (seed 41727): the first txn of an epoch was a reconfig the new
  // configuration had not acked; the commit point stopped at its zxid minus one, (epoch, 0),
  // which no server ever applies, so a read given that index would wait for the next commit.
  serving_leader f;                                    // voters 1-5, followers 2 and 3
  f.p.on_message(f.now, 4, learner_info{0, 0, false}); // 4 joins the established leader
  f.p.on_message(f.now, 4, ack_epoch{0, 0});
  f.p.on_message(f.now, 4, ack{make_zxid(1, 0)});
  f.p.take_actions();
  ensemble next;
  next.members = {{1, true}, {2, true}, {3, true}, {6, true}}; // a quorum of it: three
  auto z = f.p.propose(f.now, "reconfig", next);
  REQUIRE(z);
  f.p.on_logged(f.now, *z);
  // 1, 2 and 4 have it: a quorum of the active configuration, not of the next one.
  f.p.on_message(f.now, 2, ack{*z});
  f.p.on_message(f.now, 4, ack{*z});
  f.p.take_actions();
  CHECK(f.p.last_committed() == 0); // nothing before the reconfig in this epoch
  auto round = f.p.read_index(f.now);
  REQUIRE(round);
  f.p.take_actions();
  // 1, 2 and 3 echo: a quorum of both.
  f.p.on_message(f.now, 2, read_round{*round});
  f.p.on_message(f.now, 3, read_round{*round});
  auto r = ready(f.p.take_actions());
  REQUIRE(r.size() == 1);
  CHECK(r[0].index == 0);
}
