// The quorum peer (the actor around the ZAB core) as server 1 of three, against scripted
// peers, driven deterministically (CAF's test coordinator, the test's clock): a stand-in for
// peer_links records what the peer sends each server and delivers the ZAB messages the test
// makes servers 2 and 3 say; a stand-in log writer reports appends durable when the test
// says. The real store and watch manager apply the commits and answer a recording session.
// The ZAB rules themselves are tested on the core in tests/sim/; here, that the actor carries
// the core's decisions out: elections on its ticks, epochs on disk, proposals, commits to the
// store in order, forwarded writes and syncs, and the serving state told to the listener.
#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/ensemble_wire.hpp"
#include "actors/quorum_peer.hpp"
#include "actors/store_actor.hpp"
#include "actors/watch_manager.hpp"
#include "actors/zab_recovery.hpp"
#include "config/membership.hpp"
#include "deterministic_system.hpp"
#include "scratch_dir.hpp"
#include "stand_ins.hpp"
#include "store/disk/epoch_file.hpp"
#include "store/disk/received_snapshot.hpp"
#include "store/disk/snapshot.hpp"
#include "store/disk/txn_codec.hpp"

#include <caf/send.hpp>
#include <catch2/catch.hpp>
#include <chrono>

using namespace paddock;
using namespace paddock::testing;
using namespace std::chrono_literals;
using actors::origin;
using actors::write_request;
namespace op = jute::opcode;

namespace {

constexpr int64_t client_session = 0x100;

zab::zxid_t z(int64_t counter) {
  return zab::make_zxid(1, counter);
} // epoch 1

// A client's txn as a leader proposes it: decoded, stamped with the leader's time, encoded.
std::string stamped(const std::string& forwarded, int64_t leader_time_ms) {
  store::txn t;
  REQUIRE(store::decode_txn(forwarded, t));
  t.time_ms = leader_time_ms;
  std::string out;
  store::encode_txn(t, out);
  return out;
}

// What server 1 brings to a restart: its ZAB state from recovery, the tree recovery applied,
// and the snapshot on disk (a reload after a TRUNC reads it back).
struct restart_state {
  zab::persistent_state zab;
  std::shared_ptr<store::data_tree> applied;
  std::shared_ptr<store::data_tree> snapshotted;
};

struct ensemble_member {
  scratch_dir dir;
  deterministic_system ds;
  std::shared_ptr<actors::server_context> ctx = test_context(ds, dir);
  std::shared_ptr<log_record> log = std::make_shared<log_record>();
  std::shared_ptr<links_record> links = std::make_shared<links_record>();
  std::shared_ptr<listener_record> listener = std::make_shared<listener_record>();
  std::shared_ptr<session_record> client = std::make_shared<session_record>();
  actors::quorum_peer_handle peer;
  scripted_links_handle links_h;
  scripted_log_writer_handle log_writer;
  actors::store_handle store;
  actors::session_handle client_h;

  // Server 1 of {1, 2, 3}, fresh (no history) unless `restarted` says what it recovered,
  // wired as server.cpp wires an ensemble member, then started: the links are handed over and
  // ZAB begins to look for a leader.
  explicit ensemble_member(const restart_state* restarted = nullptr) {
    auto& cfg = ctx->config;
    cfg.server_id = 1;
    cfg.tick_time_ms = 100;
    cfg.init_limit = 10;
    cfg.sync_limit = 5;
    for (int64_t id = 1; id <= 3; ++id) {
      config::peer_address p;
      p.id = id;
      p.host = "127.0.0.1";
      cfg.servers[id] = p;
    }
    REQUIRE(cfg.is_ensemble());
    if (restarted)
      REQUIRE(store::write_snapshot(*ctx->disk, *restarted->snapshotted, cfg.snap_dir()).ok());
    store = ds.spawn(actors::store_actor, actors::context_ptr{ctx},
                     restarted ? restarted->applied : std::shared_ptr<store::data_tree>{});
    ctx->store = store;
    ctx->watch_manager = ds.spawn(actors::watch_manager, actors::context_ptr{ctx});
    log_writer = ds.spawn(scripted_log_writer, actors::context_ptr{ctx}, log);
    ctx->log_writer = log_writer;
    actors::listener_handle listener_h = ds.spawn(recording_listener, listener);
    peer = ds.spawn(actors::quorum_peer, actors::context_ptr{ctx},
                    restarted ? restarted->zab : zab::persistent_state{}, listener_h);
    ctx->pipeline = peer;
    ctx->quorum_peer = peer;
    links_h = ds.spawn(scripted_peer_links, actors::peer_links_owner_handle{peer}, links);
    client_h = ds.spawn(recording_session, client);
    caf::anon_send(peer, actors::links_atom::value, actors::peer_links_handle{links_h});
    ds.run();
  }

  // Server `from` says `m`.
  void from(zab::server_id from, zab::message m) {
    caf::anon_send(links_h, actors::zab_in_atom::value, from, std::move(m));
    ds.run();
  }
  void app_from(zab::server_id from, actors::app_message m) {
    caf::anon_send(links_h, actors::app_in_atom::value, from, std::move(m));
    ds.run();
  }
  // This server's log has every append up to `zxid` on disk.
  void durable(zab::zxid_t zxid) {
    caf::anon_send(log_writer, actors::logged{0, zxid});
    ds.run();
  }
  void client_write(store::txn t, int32_t xid) {
    caf::anon_send(peer, write_request{std::move(t), origin{client_h, xid}});
    ds.run();
  }
  int zab_mode() const { return ctx->stats->zab_mode.load(); }

  // Servers 2 and 3 vote for server 1; server 2 joins it, takes epoch 1 and syncs.
  void become_leader() {
    auto votes = links->sent<zab::notification>();
    REQUIRE(votes.size() == 2); // its own vote, to both others
    CHECK(votes[0].second.proposed.leader == 1);
    // Server 2 agrees (a quorum with this server); server 3 is silent, so a better vote may
    // still come: nothing is decided before the finalize wait is over. Time decides, through
    // the clock.
    from(2, zab::notification{zab::vote{1, 0, 0}, 1, zab::role::looking, {}});
    CHECK(zab_mode() == static_cast<int>(zab::role::looking));
    ds.advance(300ms);
    // Leading, not yet serving: the four-letter words say "not currently serving".
    REQUIRE(links->sent<zab::leader_info>().empty());
    CHECK(zab_mode() == static_cast<int>(zab::role::looking));
    CHECK(listener->serving.empty());

    from(2, zab::learner_info{0, 0, false});
    auto epochs = links->sent<zab::leader_info>();
    REQUIRE(epochs.size() == 1);
    CHECK(epochs[0].first == 2);
    CHECK(epochs[0].second.new_epoch == 1);
    // The epoch reached the disk before anyone heard of it.
    auto accepted = store::read_epoch_file(*ctx->disk, ctx->config.snap_dir() + "/acceptedEpoch");
    REQUIRE(accepted.status.ok());
    CHECK(accepted.value == 1);

    from(2, zab::ack_epoch{0, 0});
    REQUIRE(links->sent<zab::sync_diff>().size() == 1);
    REQUIRE(links->sent<zab::new_leader>().size() == 1);
    from(2, zab::ack{z(0)}); // server 2 acks NEWLEADER: a quorum with this server
    REQUIRE(listener->serving == std::vector<bool>{true});
    CHECK(zab_mode() == static_cast<int>(zab::role::leading));
    CHECK(links->sent<zab::up_to_date>().size() == 1);
    links->clear();
  }

  // Server 3 wins the election; server 1 follows it through discovery and sync.
  void become_follower() {
    from(3, zab::notification{zab::vote{3, 0, 0}, 1, zab::role::looking, {}});
    ds.advance(300ms);
    CHECK(zab_mode() == static_cast<int>(zab::role::looking)); // following, not serving yet
    auto joins = links->sent<zab::learner_info>();
    REQUIRE(joins.size() == 1);
    CHECK(joins[0].first == 3);

    from(3, zab::leader_info{1});
    auto acks = links->sent<zab::ack_epoch>();
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].first == 3);
    from(3, zab::sync_diff{0});
    from(3, zab::new_leader{1, {}});
    auto new_leader_acks = links->sent<zab::ack>();
    REQUIRE(new_leader_acks.size() == 1);
    CHECK(new_leader_acks[0].second.zxid == z(0));
    CHECK(listener->serving.empty());
    from(3, zab::up_to_date{});
    REQUIRE(listener->serving == std::vector<bool>{true});
    CHECK(zab_mode() == static_cast<int>(zab::role::following));
    links->clear();
  }
  // A follower whose client's session the leader committed (zxid 1).
  void become_follower_with_session() {
    become_follower();
    client_write(create_session_txn(client_session), 0);
    auto session = links->sent_app<actors::forward_writes>();
    REQUIRE(session.size() == 1);
    from(3, zab::proposal{{{z(1), stamped(session[0].second.txns[0], 1), std::nullopt}}});
    from(3, zab::commit{z(1)});
    REQUIRE(client->items.size() == 1);
    links->clear();
  }
};

} // namespace

TEST_CASE("quorum peer: elected by the others' votes once the finalize wait is over, it leads") {
  ensemble_member m;
  m.become_leader();
  CHECK(m.ds.clocks_agree());
  // The leader pings its learner every half tick, on the coordinator's time.
  m.ds.advance(200ms);
  CHECK(m.links->sent<zab::ping>().size() >= 3);
}

TEST_CASE("quorum peer: a leader proposes a client's write and commits it once a quorum of "
          "logs has it, its own counting") {
  ensemble_member m;
  m.become_leader();
  m.client_write(create_session_txn(client_session), 0);
  m.durable(z(1));
  m.from(2, zab::ack{z(1)});
  REQUIRE(m.client->items.size() == 1); // the session is open
  m.links->clear();

  m.ds.clock()->set_wall_ms(1'500'000'000'000);
  m.client_write(create_txn(1, "/x", "v", client_session), 1);
  // Proposed to server 2 and handed to this server's log, stamped with the leader's clock.
  auto proposals = m.links->sent<zab::proposal>();
  REQUIRE(proposals.size() == 1);
  CHECK(proposals[0].first == 2);
  REQUIRE(proposals[0].second.txns.size() == 1);
  CHECK(proposals[0].second.txns[0].zxid == z(2));
  store::txn proposed;
  REQUIRE(store::decode_txn(proposals[0].second.txns[0].payload.view(), proposed));
  CHECK(proposed.time_ms == 1'500'000'000'000);
  CHECK(m.log->zxids().back() == z(2));

  SECTION("its own log first, then server 2's ack") {
    m.durable(z(2));
    CHECK(m.links->sent<zab::commit>().empty()); // one of three is no quorum
    CHECK(m.client->items.size() == 1);
    m.from(2, zab::ack{z(2)});
  }
  SECTION("server 2's ack first, then its own log") {
    m.from(2, zab::ack{z(2)});
    CHECK(m.links->sent<zab::commit>().empty());
    CHECK(m.client->items.size() == 1);
    m.durable(z(2));
  }
  auto commits = m.links->sent<zab::commit>();
  REQUIRE(commits.size() == 1);
  CHECK(commits[0].first == 2);
  CHECK(commits[0].second.zxid == z(2));
  REQUIRE(m.client->items.size() == 2);
  auto reply = header_of(m.client->items[1].frame);
  CHECK(reply.xid == 1);
  CHECK(reply.zxid == z(2));
  CHECK(reply.err == 0);
}

TEST_CASE("quorum peer: a follower forwards its clients' writes and applies the leader's "
          "commits in order") {
  ensemble_member m;
  m.become_follower();
  m.ds.clock()->set_wall_ms(1'000); // this server's clock: never what a txn carries
  constexpr int64_t leader_time = 1'600'000'000'000;

  m.client_write(create_session_txn(client_session), 0);
  auto forwarded = m.links->sent_app<actors::forward_writes>();
  REQUIRE(forwarded.size() == 1);
  CHECK(forwarded[0].first == 3);
  REQUIRE(forwarded[0].second.txns.size() == 1);
  m.from(3,
         zab::proposal{{{z(1), stamped(forwarded[0].second.txns[0], leader_time), std::nullopt}}});
  CHECK(m.log->zxids() == std::vector<int64_t>{z(1)});
  m.durable(z(1));
  REQUIRE_FALSE(m.links->sent<zab::ack>().empty());
  CHECK(m.links->sent<zab::ack>().back().first == 3);
  CHECK(m.links->sent<zab::ack>().back().second.zxid == z(1));
  CHECK(m.client->items.empty()); // logged is not committed
  m.from(3, zab::commit{z(1)});
  REQUIRE(m.client->items.size() == 1);
  m.links->clear();

  // Two writes that arrive together leave in one message, in order.
  caf::anon_send(m.peer,
                 write_request{create_txn(1, "/a", "1", client_session), origin{m.client_h, 1}});
  caf::anon_send(m.peer,
                 write_request{create_txn(2, "/b", "2", client_session), origin{m.client_h, 2}});
  m.ds.run();
  forwarded = m.links->sent_app<actors::forward_writes>();
  REQUIRE(forwarded.size() == 1);
  REQUIRE(forwarded[0].second.txns.size() == 2);
  m.from(3, zab::proposal{
                {{z(2), stamped(forwarded[0].second.txns[0], leader_time), std::nullopt},
                 {z(3), stamped(forwarded[0].second.txns[1], leader_time + 1), std::nullopt}}});
  m.durable(z(3));
  CHECK(m.links->sent<zab::ack>().back().second.zxid == z(3));
  m.from(3, zab::commit{z(3)}); // cumulative: both, in zxid order
  REQUIRE(m.client->reply_xids() == (std::vector<int32_t>{0, 1, 2}));
  CHECK(header_of(m.client->items[1].frame).zxid == z(2));
  CHECK(header_of(m.client->items[2].frame).zxid == z(3));

  // The tree holds the leader's stamp, not this server's clock.
  caf::anon_send(m.store, actors::read_request{get_data(3, "/b", false), client_session, nullptr, 1,
                                               origin{m.client_h, 3}});
  m.ds.run();
  auto node = get_data_of(m.client->items.back().frame);
  CHECK(node.data == "2");
  CHECK(node.ctime == leader_time + 1);
}

TEST_CASE("quorum peer: a sync on a follower is answered after the leader's sync_ack") {
  ensemble_member m;
  m.become_follower_with_session();

  // A write, then a sync: the write leaves first, then the sync, on the same link.
  caf::anon_send(m.peer,
                 write_request{create_txn(1, "/a", "", client_session), origin{m.client_h, 1}});
  caf::anon_send(m.peer, actors::sync_request{"/a", origin{m.client_h, 2}});
  m.ds.run();
  REQUIRE(m.links->app.size() == 2);
  CHECK(std::holds_alternative<actors::forward_writes>(m.links->app[0].msg));
  REQUIRE(std::holds_alternative<actors::forward_sync>(m.links->app[1].msg));
  const auto sync_id = std::get<actors::forward_sync>(m.links->app[1].msg).id;

  m.from(3, zab::proposal{
                {{z(2), stamped(std::get<actors::forward_writes>(m.links->app[0].msg).txns[0], 2),
                  std::nullopt}}});
  m.durable(z(2));
  m.from(3, zab::commit{z(2)});
  CHECK(m.client->reply_xids() == (std::vector<int32_t>{0, 1}));
  // Everything is applied, but the leader has not answered the sync yet.
  m.ds.advance(100ms);
  CHECK(m.client->reply_xids() == (std::vector<int32_t>{0, 1}));

  m.app_from(3, actors::sync_ack{sync_id});
  REQUIRE(m.client->reply_xids() == (std::vector<int32_t>{0, 1, 2}));
  CHECK(m.client->items.back().opcode == op::sync);
  CHECK(header_of(m.client->items.back().frame).zxid == z(2));
}

// ZooKeeper's sync on a follower returns once the follower applied everything the leader
// committed before it: the leader's answer follows its commits on the same stream. A learner
// the leader dropped (silent past syncLimit) no longer gets those commits, and may not know
// it yet; answering its sync would let it serve a stale read as synced.
TEST_CASE("quorum peer: a leader answers the sync of a learner it still streams commits to, "
          "and not of one it dropped") {
  ensemble_member m;
  m.become_leader();
  // Server 3 joins too: the leader keeps a quorum (itself and server 2) without it.
  m.from(3, zab::learner_info{0, 0, false});
  m.from(3, zab::ack_epoch{0, 0});
  m.from(3, zab::ack{z(0)});
  REQUIRE(m.links->sent<zab::up_to_date>().size() == 1);
  m.client_write(create_session_txn(client_session), 0);
  m.durable(z(1));
  m.from(2, zab::ack{z(1)});
  REQUIRE(m.client->items.size() == 1);
  m.links->clear();

  auto sync_acks_to = [&](zab::server_id to) {
    std::vector<int64_t> ids;
    for (const auto& [dest, ack] : m.links->sent_app<actors::sync_ack>())
      if (dest == to) ids.push_back(ack.id);
    return ids;
  };
  // Both learners are served: a sync from either is answered at once (nothing in flight).
  m.app_from(2, actors::forward_sync{11});
  m.app_from(3, actors::forward_sync{31});
  CHECK(sync_acks_to(2) == std::vector<int64_t>{11});
  CHECK(sync_acks_to(3) == std::vector<int64_t>{31});

  SECTION("a sync waiting for a commit when the learner is dropped is never answered") {
    m.client_write(create_txn(1, "/x", "v", client_session), 1);
    m.app_from(3, actors::forward_sync{32});
    m.app_from(2, actors::forward_sync{12});
    CHECK(sync_acks_to(3) == std::vector<int64_t>{31}); // z(2) is not committed yet
    // Server 2 keeps pinging, server 3 is silent past syncLimit (5 ticks of 100 ms).
    for (int i = 0; i < 8; ++i) {
      m.from(2, zab::ping{});
      m.ds.advance(100ms);
    }
    m.durable(z(2));
    m.from(2, zab::ack{z(2)});
    REQUIRE(m.client->items.size() == 2); // committed, without server 3
    auto commits = m.links->sent<zab::commit>();
    REQUIRE(commits.size() == 1);
    CHECK(commits[0].first == 2); // the dropped learner no longer hears of commits...
    CHECK(sync_acks_to(2) == std::vector<int64_t>{11, 12});
    CHECK(sync_acks_to(3) == std::vector<int64_t>{31}); // ...nor is its sync answered
  }
  SECTION("a sync of a learner's earlier connection is not answered on its new one") {
    m.client_write(create_txn(1, "/x", "v", client_session), 1);
    m.app_from(3, actors::forward_sync{34});
    // Server 3 (restarted, say) joins again before z(2) commits: its new connection got the
    // proposal in its sync, but the old sync's id means nothing to it now.
    m.from(3, zab::learner_info{1, z(1), false});
    m.from(3, zab::ack_epoch{-1, z(1)});
    m.from(3, zab::ack{z(0)});
    m.durable(z(2));
    m.from(2, zab::ack{z(2)});
    REQUIRE(m.client->items.size() == 2);
    CHECK(sync_acks_to(3) == std::vector<int64_t>{31});
    m.app_from(3, actors::forward_sync{1}); // its new connection's first sync is answered
    CHECK(sync_acks_to(3) == std::vector<int64_t>{31, 1});
  }
  SECTION("a sync that arrives after the learner was dropped is not answered") {
    for (int i = 0; i < 8; ++i) {
      m.from(2, zab::ping{});
      m.ds.advance(100ms);
    }
    m.client_write(create_txn(1, "/x", "v", client_session), 1);
    m.durable(z(2));
    m.from(2, zab::ack{z(2)});
    REQUIRE(m.client->items.size() == 2);
    m.app_from(3, actors::forward_sync{33}); // the dropped learner read z(1) at most
    m.app_from(2, actors::forward_sync{13});
    CHECK(sync_acks_to(2) == std::vector<int64_t>{11, 13});
    CHECK(sync_acks_to(3) == std::vector<int64_t>{31});
  }
}

// paddock.linearizableReads: the quorum peer holds a read until the leader's quorum has
// confirmed a read index and this server has applied it; the store then serves it.
TEST_CASE("quorum peer: a leader serves a linearizable read after a quorum echoed its round") {
  ensemble_member m;
  m.become_leader();
  m.client_write(create_session_txn(client_session), 0);
  m.durable(z(1));
  m.from(2, zab::ack{z(1)});
  REQUIRE(m.client->items.size() == 1);
  m.links->clear();

  caf::anon_send(m.peer, actors::read_request{get_data(1, "/zookeeper", false), client_session,
                                              nullptr, 1, origin{m.client_h, 1}});
  m.ds.run();
  auto pings = m.links->sent<zab::read_round>();
  REQUIRE(pings.size() == 1); // to server 2, the follower that acked NEWLEADER
  CHECK(pings[0].first == 2);
  const auto round = pings[0].second.round;
  REQUIRE(round != 0);
  CHECK(m.client->reply_xids() == (std::vector<int32_t>{0})); // held
  m.from(2, zab::read_round{round + 1});                      // not its round
  CHECK(m.client->reply_xids() == (std::vector<int32_t>{0}));
  m.from(2, zab::read_round{round});
  REQUIRE(m.client->reply_xids() == (std::vector<int32_t>{0, 1}));
  CHECK(header_of(m.client->items.back().frame).err == 0);
}

TEST_CASE("quorum peer: a leader answers a learner's read index after its round, on the "
          "learner's commit stream") {
  ensemble_member m;
  m.become_leader();
  m.client_write(create_session_txn(client_session), 0);
  m.durable(z(1));
  m.from(2, zab::ack{z(1)});
  m.links->clear();
  m.app_from(2, actors::forward_read{7});
  auto pings = m.links->sent<zab::read_round>();
  REQUIRE(pings.size() == 1);
  CHECK(m.links->sent_app<actors::read_index_ack>().empty());
  m.from(2, zab::read_round{pings[0].second.round});
  auto acks = m.links->sent_app<actors::read_index_ack>();
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].first == 2);
  CHECK(acks[0].second.id == 7);
  CHECK(acks[0].second.index == z(1));
  // Server 3 never joined: the leader streams no commits to it and answers it nothing.
  m.app_from(3, actors::forward_read{1});
  CHECK(m.links->sent<zab::read_round>().size() == 1);
  CHECK(m.links->sent_app<actors::read_index_ack>().size() == 1);
}

TEST_CASE("quorum peer: a follower serves a linearizable read once it applied the leader's "
          "read index, and reads meanwhile share the next request") {
  ensemble_member m;
  m.become_follower_with_session();

  auto read = [&](int32_t xid) {
    caf::anon_send(m.peer, actors::read_request{get_data(xid, "/zookeeper", false), client_session,
                                                nullptr, 1, origin{m.client_h, xid}});
    m.ds.run();
  };
  read(1);
  auto asks = m.links->sent_app<actors::forward_read>();
  REQUIRE(asks.size() == 1);
  CHECK(asks[0].first == 3);
  read(2);
  read(3);
  CHECK(m.links->sent_app<actors::forward_read>().size() == 1); // one request in flight
  // The leader's index is z(2), which this server has not received yet: the read waits.
  m.app_from(3, actors::read_index_ack{asks[0].second.id, z(2)});
  CHECK(m.client->reply_xids() == (std::vector<int32_t>{0}));
  asks = m.links->sent_app<actors::forward_read>(); // the next one left at once
  REQUIRE(asks.size() == 2);
  // A write of another server's client (no origin here) commits z(2): now the read goes.
  store::txn t = create_txn(9, "/from-elsewhere", "", client_session);
  std::string body;
  store::encode_txn(t, body);
  m.from(3, zab::proposal{{{z(2), body, std::nullopt}}});
  m.from(3, zab::commit{z(2)});
  CHECK(m.client->reply_xids() == (std::vector<int32_t>{0, 1}));
  m.app_from(3, actors::read_index_ack{asks[1].second.id, z(2)});
  CHECK(m.client->reply_xids() == (std::vector<int32_t>{0, 1, 2, 3}));
  CHECK(m.links->sent_app<actors::forward_read>().size() == 2); // nobody waits
}

TEST_CASE("quorum peer: after installing the leader's snapshot /zookeeper/config shows the "
          "active configuration, not what the snapshot held") {
  // ZooKeeper's Learner.syncWithLeader stamps its quorum verifier after a sync
  // (initConfigInZKDatabase); the image may hold an older or never committed configuration.
  ensemble_member m;
  m.from(3, zab::notification{zab::vote{3, 0, 0}, 1, zab::role::looking, {}});
  m.ds.advance(300ms);
  REQUIRE(m.links->sent<zab::learner_info>().size() == 1);
  m.from(3, zab::leader_info{1});
  REQUIRE(m.links->sent<zab::ack_epoch>().size() == 1);

  // The image the transport received: a tree whose node names server 4 too.
  store::data_tree image;
  const std::string stale = "server.1=127.0.0.1:0:0:participant\n"
                            "server.4=127.0.0.1:0:0:participant\nversion=100000004";
  image.set_config_node(stale, z(4), 0);
  auto session = create_session_txn(client_session);
  session.zxid = z(4);
  REQUIRE(image.apply(session).err == jute::error_code::ok);
  auto created = create_txn(1, "/in-image", "x", client_session);
  created.zxid = z(5);
  REQUIRE(image.apply(created).err == jute::error_code::ok);
  auto& disk = *m.ctx->disk;
  const auto staging = m.dir.path() + "/staging";
  REQUIRE(disk.create_directories(staging).ok());
  REQUIRE(store::write_snapshot(disk, image, staging).ok());
  REQUIRE(disk.rename(staging + "/" + store::snapshot_name(z(5)),
                      m.ctx->config.snap_dir() + "/" + store::received_snapshot_name(z(5)))
              .ok());
  m.from(3, zab::sync_snap{z(5), 1});

  auto read_config = [&](int32_t xid) {
    caf::anon_send(m.store,
                   actors::read_request{get_data(xid, "/zookeeper/config", false), client_session,
                                        nullptr, 1, origin{m.client_h, xid}});
    m.ds.run();
    return get_data_of(m.client->items.back().frame);
  };
  auto node = read_config(1);
  // zoo.cfg's servers 1-3, unversioned: the configuration the core has active.
  CHECK(node.data.find("server.4") == std::string::npos);
  CHECK(node.data.find("server.3=") != std::string::npos);
  CHECK(node.data.find("version=0") != std::string::npos);
  CHECK(node.mzxid == 0);
  // The rest of the image is the tree now.
  caf::anon_send(m.store, actors::read_request{get_data(2, "/in-image", false), client_session,
                                               nullptr, 1, origin{m.client_h, 2}});
  m.ds.run();
  CHECK(get_data_of(m.client->items.back().frame).data == "x");
}

namespace {

// Server 1 restarted with epoch 1's txns logged and applied: the client's session (z(1)),
// `second` (z(2)), and a create of /dropped (z(3)) taken after its last snapshot (z(2)).
// `on_disk_config` is what /zookeeper/config holds before the txns.
restart_state logged_through_3(store::txn second, const std::string& on_disk_config) {
  std::vector<store::txn> txns{create_session_txn(client_session), std::move(second),
                               create_txn(2, "/dropped", "x", client_session)};
  restart_state r;
  r.snapshotted = std::make_shared<store::data_tree>();
  r.applied = std::make_shared<store::data_tree>();
  r.snapshotted->set_config_node(on_disk_config, 0, 0);
  r.applied->set_config_node(on_disk_config, 0, 0);
  r.zab.accepted_epoch = r.zab.current_epoch = 1;
  for (size_t i = 0; i < txns.size(); ++i) {
    txns[i].zxid = z(static_cast<int64_t>(i) + 1);
    std::string body;
    store::encode_txn(txns[i], body);
    auto config = actors::reconfig_in(txns[i].zxid, body);
    r.zab.recent.push_back({txns[i].zxid, std::move(body), std::move(config)});
    REQUIRE(r.applied->apply(txns[i]).err == jute::error_code::ok);
    if (txns[i].zxid <= z(2)) REQUIRE(r.snapshotted->apply(txns[i]).err == jute::error_code::ok);
  }
  r.zab.last_logged = z(3);
  return r;
}

// Server 3, whose history went on in epoch 2 without z(3), wins the election; server 1 joins
// it and is told to truncate its log to z(2). It applied z(3): the tree is reloaded from disk.
void truncated_by_new_leader(ensemble_member& m) {
  // Servers 2 and 3 vote for 3: a quorum also of a pending configuration adding server 4.
  for (zab::server_id voter : {2, 3})
    m.from(voter,
           zab::notification{zab::vote{3, zab::make_zxid(2, 1), 2}, 1, zab::role::looking, {}});
  m.ds.advance(300ms);
  REQUIRE(m.links->sent<zab::learner_info>().size() == 1);
  m.from(3, zab::leader_info{3});
  REQUIRE(m.links->sent<zab::ack_epoch>().size() == 1);
  m.from(3, zab::sync_trunc{z(2)});
  REQUIRE(m.log->truncations == std::vector<int64_t>{z(2)});
}

get_data_reply read_node(ensemble_member& m, const std::string& path, int32_t xid) {
  const auto before = m.client->items.size();
  caf::anon_send(m.store, actors::read_request{get_data(xid, path, false), client_session, nullptr,
                                               1, origin{m.client_h, xid}});
  m.ds.run();
  REQUIRE(m.client->items.size() == before + 1);
  return get_data_of(m.client->items.back().frame);
}

jute::error_code read_error(ensemble_member& m, const std::string& path, int32_t xid) {
  caf::anon_send(m.store, actors::read_request{get_data(xid, path, false), client_session, nullptr,
                                               1, origin{m.client_h, xid}});
  m.ds.run();
  return static_cast<jute::error_code>(header_of(m.client->items.back().frame).err);
}

const std::string stale_config = "server.1=127.0.0.1:0:0:participant\n"
                                 "server.4=127.0.0.1:0:0:participant\nversion=100000000";

} // namespace

TEST_CASE("quorum peer: after a TRUNC reloads the tree /zookeeper/config shows the active "
          "configuration, not what the data on disk held") {
  const auto restarted =
      logged_through_3(create_txn(1, "/kept", "k", client_session), stale_config);
  ensemble_member m(&restarted);
  CHECK(read_node(m, "/dropped", 1).data == "x"); // applied before the TRUNC
  truncated_by_new_leader(m);

  auto node = read_node(m, "/zookeeper/config", 2);
  // zoo.cfg's servers 1-3, unversioned: the configuration the core has active.
  CHECK(node.data.find("server.4") == std::string::npos);
  CHECK(node.data.find("server.3=") != std::string::npos);
  CHECK(node.data.find("version=0") != std::string::npos);
  CHECK(node.mzxid == 0);
  // The tree is the one on disk, up to the truncation.
  CHECK(read_node(m, "/kept", 3).data == "k");
  CHECK(read_error(m, "/dropped", 4) == jute::error_code::no_node);
}

TEST_CASE("quorum peer: after a TRUNC that keeps a pending reconfig /zookeeper/config shows "
          "it, as the reloaded tree holds it") {
  // The reconfig (z(2), adding server 4) is logged and applied, not activated: no leader
  // said it committed. The TRUNC keeps it, so the core still has it pending, and the tree
  // reloaded from disk holds it in the node; the active configuration must not replace it.
  config::members_map with_4;
  for (int64_t id = 1; id <= 4; ++id) {
    config::peer_address p;
    p.id = id;
    p.host = "127.0.0.1";
    p.quorum_port = static_cast<int32_t>(2000 + id); // port 0 is no server line
    p.election_port = static_cast<int32_t>(3000 + id);
    with_4[id] = p;
  }
  store::txn reconfig;
  reconfig.type = op::reconfig;
  reconfig.session_id = client_session;
  reconfig.ops.push_back(
      store::txn_op{op::set_data, jute::set_data_request{std::string(store::data_tree::config_node),
                                                         config::members_text(with_4), -1}});
  const auto restarted = logged_through_3(reconfig, stale_config);
  REQUIRE(restarted.zab.recent[1].config); // a reconfig, as recovery finds it
  ensemble_member m(&restarted);
  truncated_by_new_leader(m);

  auto node = read_node(m, "/zookeeper/config", 1);
  CHECK(node.data.find("server.4=") != std::string::npos);
  CHECK(node.data.find("version=100000002") != std::string::npos);
  CHECK(node.mzxid == z(2));
  CHECK(read_error(m, "/dropped", 2) == jute::error_code::no_node);
}
