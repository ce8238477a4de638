// The session tracker of an ensemble member, with a scoped actor standing in for the
// pipeline (it receives the closeSession txns the tracker sends) and for the quorum peer
// (role changes). Found by the chaos campaign (seed 202): a leader paused past its sessions'
// timeouts expired them all on resuming, but its closes never committed (it no longer led);
// it had forgotten those sessions, so when it led again they never expired, and a lock
// node of one of them blocked every other client for good.
#include "actors/ensemble_messages.hpp"
#include "actors/messages.hpp"
#include "actors/session_tracker.hpp"
#include "protocol/jute/opcodes.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <chrono>

using namespace paddock;
using namespace paddock::actors;
using namespace std::chrono_literals;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.max-threads", size_t{2});
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

constexpr int64_t session_id = 0x1234;
constexpr int32_t timeout_ms = 100;

std::shared_ptr<server_context> ensemble_context(caf::actor pipeline) {
  auto ctx = std::make_shared<server_context>();
  ctx->config.server_id = 1;
  ctx->config.tick_time_ms = 20;
  for (int64_t id = 1; id <= 3; ++id) {
    config::peer_address peer;
    peer.id = id;
    peer.host = "127.0.0.1";
    ctx->config.servers[id] = peer;
  }
  ctx->pipeline = std::move(pipeline);
  return ctx;
}

// Waits for the tracker's next txn; returns its session id, or 0 when none came in `wait`.
int64_t next_close(caf::scoped_actor& pipeline, std::chrono::milliseconds wait) {
  int64_t id = 0;
  pipeline->receive([&](write_request& w) { id = w.txn.session_id; }, caf::after(wait) >> [] {});
  return id;
}

bool reattach(caf::scoped_actor& client, const caf::actor& tracker, const std::string& passwd) {
  bool ok = false;
  client
      ->request(tracker, 2s, reattach_atom::value, session_id, passwd, timeout_ms,
                caf::actor{client.ptr()})
      .receive([&](bool accepted, const std::string&) { ok = accepted; },
               [&](caf::error&) { FAIL("the tracker did not answer"); });
  return ok;
}

} // namespace

TEST_CASE("a session whose close never committed expires again when this server leads again") {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor pipeline{sys};
  auto ctx = ensemble_context(caf::actor{pipeline.ptr()});
  store::session_entry recovered{session_id, timeout_ms, "pw"};
  auto tracker = sys.spawn(session_tracker, ctx, std::vector<store::session_entry>{recovered});

  // A follower expires nothing.
  CHECK(next_close(pipeline, 300ms) == 0);

  // Leading: the session expires after its timeout, and a closeSession goes to the pipeline.
  pipeline->send(tracker, role_atom::value, true);
  REQUIRE(next_close(pipeline, 2s) == session_id);
  // It is closing: a client cannot take it back.
  caf::scoped_actor client{sys};
  CHECK_FALSE(reattach(client, tracker, "pw"));

  // The close is lost with the leadership (never applied: no session_down). While this server
  // follows, the session is the leader's to judge, and a client may resume it here.
  pipeline->send(tracker, role_atom::value, false);
  CHECK(next_close(pipeline, 300ms) == 0);
  CHECK(reattach(client, tracker, "pw"));

  // Leading again: the session, still in the tree, expires again.
  pipeline->send(tracker, role_atom::value, true);
  CHECK(next_close(pipeline, 2s) == session_id);

  // Once its close is applied, it is gone for good.
  pipeline->send(tracker, session_down_atom::value, session_id);
  pipeline->send(tracker, role_atom::value, false);
  pipeline->send(tracker, role_atom::value, true);
  CHECK(next_close(pipeline, 500ms) == 0);
  CHECK_FALSE(reattach(client, tracker, "pw"));

  caf::anon_send_exit(tracker, caf::exit_reason::user_shutdown);
}

TEST_CASE("a client's own close is forgotten only once it is applied") {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor pipeline{sys};
  auto ctx = ensemble_context(caf::actor{pipeline.ptr()});
  store::session_entry recovered{session_id, timeout_ms, "pw"};
  auto tracker = sys.spawn(session_tracker, ctx, std::vector<store::session_entry>{recovered});

  // The leader's client closes its session; the close is lost with the leadership.
  pipeline->send(tracker, role_atom::value, true);
  pipeline->send(tracker, forget_atom::value, session_id);
  CHECK(next_close(pipeline, 400ms) == 0); // no expiry of a session its client is closing
  pipeline->send(tracker, role_atom::value, false);
  pipeline->send(tracker, role_atom::value, true);
  // Still in the tree, so expired by the next leadership.
  CHECK(next_close(pipeline, 2s) == session_id);

  caf::anon_send_exit(tracker, caf::exit_reason::user_shutdown);
}
