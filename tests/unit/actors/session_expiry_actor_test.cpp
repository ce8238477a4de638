// The session tracker (actors/session_expiry_actor), driven deterministically: CAF's test
// coordinator fires its ticks and the test's clock is what it measures timeouts with, so a
// session expires exactly when the script lets enough time pass. A recording stand-in takes
// the pipeline's place (the closeSession txns the tracker sends); the quorum peer's role
// changes are sent by the test.
// Found by the chaos campaign (seed 202): a leader paused past its sessions' timeouts expired
// them all on resuming, but its closes never committed (it no longer led); it had forgotten
// those sessions, so when it led again they never expired, and a lock node of one of them
// blocked every other client for good.
#include "actors/messages/pipeline.hpp"
#include "actors/messages/sessions.hpp"
#include "actors/session_expiry_actor.hpp"
#include "deterministic_system.hpp"
#include "protocol/jute/opcodes.hpp"
#include "scratch_dir.hpp"
#include "stand_ins.hpp"

#include <caf/send.hpp>
#include <catch2/catch.hpp>
#include <chrono>

using namespace paddock;
using namespace paddock::testing;
using namespace std::chrono_literals;

namespace {

constexpr int64_t session_id = 0x1234;
constexpr int32_t timeout_ms = 100;

// Server 1 of an ensemble of three (tickTime 20 ms) whose tree holds one session.
struct tracker_of_ensemble_member {
  scratch_dir dir;
  deterministic_system ds;
  std::shared_ptr<actors::server_context> ctx = test_context(ds, dir);
  std::shared_ptr<pipeline_record> pipeline = std::make_shared<pipeline_record>();
  std::shared_ptr<session_record> client = std::make_shared<session_record>();
  actors::session_expiry_handle tracker;
  actors::session_handle client_h;

  tracker_of_ensemble_member() {
    ctx->config.server_id = 1;
    ctx->config.tick_time_ms = 20;
    for (int64_t id = 1; id <= 3; ++id) {
      config::peer_address peer;
      peer.id = id;
      peer.host = "127.0.0.1";
      ctx->config.servers[id] = peer;
    }
    ctx->pipeline = ds.spawn(recording_pipeline, pipeline);
    store::session_entry recovered{session_id, timeout_ms, "pw"};
    tracker = ds.spawn(actors::session_expiry_actor, actors::context_ptr{ctx},
                       std::vector<store::session_entry>{recovered});
    client_h = ds.spawn(recording_session, client);
    ds.run();
  }

  // The closeSession txns sent since the last call.
  std::vector<int64_t> closes() {
    std::vector<int64_t> ids;
    for (const auto& t : pipeline->writes) {
      CHECK(t.type == jute::opcode::close_session);
      ids.push_back(t.session_id);
    }
    pipeline->writes.clear();
    return ids;
  }
  void leading(bool yes) {
    caf::anon_send(tracker, actors::role_atom::value, yes);
    ds.run();
  }
  bool reattach(const std::string& passwd) {
    auto answer = ds.ask<bool, std::string>(tracker, actors::reattach_atom::value, session_id,
                                            passwd, timeout_ms, client_h);
    REQUIRE(answer);
    return std::get<0>(*answer);
  }
};

const std::vector<int64_t> none;
const std::vector<int64_t> the_session{session_id};

} // namespace

TEST_CASE("session tracker: a session expires after its timeout on the monotonic clock, "
          "whatever the wall clock does") {
  tracker_of_ensemble_member t;
  t.ds.advance(300ms);
  CHECK(t.closes() == none); // a follower expires nothing

  t.leading(true); // a new leader gives each session its whole timeout from now
  // The wall clock jumps a day forward and back: expiry does not notice.
  t.ds.clock()->set_wall_ms(t.ds.clock()->wall_ms() + 86'400'000);
  t.ds.advance(90ms);
  t.ds.clock()->set_wall_ms(t.ds.clock()->wall_ms() - 2 * 86'400'000);
  CHECK(t.closes() == none);
  // Expiry is rounded up to the next tick bucket (ZooKeeper's ExpiryQueue): within two
  // ticks after the timeout.
  t.ds.advance(50ms);
  CHECK(t.closes() == the_session);
  CHECK(t.ds.clocks_agree());
}

TEST_CASE("session tracker: a session whose close never committed expires again when this "
          "server leads again") {
  tracker_of_ensemble_member t;
  t.leading(true);
  t.ds.advance(200ms);
  REQUIRE(t.closes() == the_session);
  // It is closing: a client cannot take it back.
  CHECK_FALSE(t.reattach("pw"));

  // The close is lost with the leadership (never applied: no session_down). While this server
  // follows, the session is the leader's to judge, and a client may resume it here.
  t.leading(false);
  t.ds.advance(300ms);
  CHECK(t.closes() == none);
  CHECK(t.reattach("pw"));

  // Leading again: the session, still in the tree, expires again.
  t.leading(true);
  t.ds.advance(200ms);
  CHECK(t.closes() == the_session);
  CHECK(t.client->expired); // its connection is told

  // Once its close is applied, it is gone for good.
  caf::anon_send(t.tracker, actors::session_down_atom::value, session_id);
  t.leading(false);
  t.leading(true);
  t.ds.advance(500ms);
  CHECK(t.closes() == none);
  CHECK_FALSE(t.reattach("pw"));
}

TEST_CASE("session tracker: a client's own close is forgotten only once it is applied") {
  tracker_of_ensemble_member t;
  // The leader's client closes its session; the close is lost with the leadership.
  t.leading(true);
  caf::anon_send(t.tracker, actors::forget_atom::value, session_id);
  t.ds.advance(400ms);
  CHECK(t.closes() == none); // no expiry of a session its client is closing
  t.leading(false);
  t.leading(true);
  // Still in the tree, so expired by the next leadership.
  t.ds.advance(200ms);
  CHECK(t.closes() == the_session);
}

TEST_CASE("session tracker: a read-only server's local session outlives its connection until "
          "its timeout, and ends with read-only mode") {
  using actors::local_reattach;
  tracker_of_ensemble_member t; // looking: not leading, so it expires no ensemble session
  auto new_local = [&] {
    auto answer = t.ds.ask<int64_t, std::string>(t.tracker, actors::new_local_atom::value,
                                                 timeout_ms, t.client_h);
    REQUIRE(answer);
    return *answer;
  };
  auto reattach_local = [&](int64_t id, const std::string& passwd) {
    auto answer = t.ds.ask<int32_t, std::string>(t.tracker, actors::reattach_local_atom::value, id,
                                                 passwd, timeout_ms, t.client_h);
    REQUIRE(answer);
    return static_cast<local_reattach>(std::get<0>(*answer));
  };
  auto [id, passwd] = new_local();
  CHECK(id != session_id);
  CHECK(t.ctx->stats->local_sessions.load() == 1);
  // Its client comes back within the timeout, touching it meanwhile.
  t.ds.advance(80ms);
  CHECK(reattach_local(id, passwd) == local_reattach::valid);
  caf::anon_send(t.tracker, actors::touch_atom::value, id);
  t.ds.advance(80ms);
  CHECK(reattach_local(id, passwd) == local_reattach::valid);
  CHECK(reattach_local(id, "wrong") == local_reattach::invalid);
  // The ensemble's session is told apart: not this read-only server's to renew.
  CHECK(reattach_local(session_id, "pw") == local_reattach::of_ensemble);
  // Held by a connection again (a wrong password let go of it), then silent past its
  // timeout: expired without any txn (none made it), its connection told.
  CHECK(reattach_local(id, passwd) == local_reattach::valid);
  t.client->expired = false;
  t.ds.advance(200ms);
  CHECK(reattach_local(id, passwd) == local_reattach::invalid);
  CHECK(t.closes() == none);
  CHECK(t.client->expired);
  CHECK(t.ctx->stats->local_sessions.load() == 0);

  // The end of read-only mode forgets every local session at once; a closeSession one.
  auto second = new_local();
  auto third = new_local();
  caf::anon_send(t.tracker, actors::unborn_atom::value, std::get<0>(third));
  t.ds.run();
  CHECK(reattach_local(std::get<0>(third), std::get<1>(third)) == local_reattach::invalid);
  CHECK(t.ctx->stats->local_sessions.load() == 1);
  caf::anon_send(t.tracker, actors::read_only_atom::value, false);
  t.ds.run();
  CHECK(reattach_local(std::get<0>(second), std::get<1>(second)) == local_reattach::invalid);
  CHECK(t.ctx->stats->local_sessions.load() == 0);
}
