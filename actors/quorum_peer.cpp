#include "actors/quorum_peer.hpp"

#include "actors/messages/sessions.hpp"
#include "protocol/jute/error_code.hpp"
#include "store/disk/atomic_file.hpp"
#include "store/disk/epoch_file.hpp"
#include "store/disk/txn_codec.hpp"
#include "store/tree/data_tree.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

namespace paddock::actors {

namespace {

using self_ptr = quorum_peer_handle::stateful_pointer<quorum_peer_state>;
using namespace std::chrono_literals;

constexpr auto tick_interval = 50ms; // the core wants ticks at least every tick_ms / 4

std::string accepted_epoch_path(const server_context& ctx) {
  return ctx.config.snap_dir() + "/acceptedEpoch";
}
std::string current_epoch_path(const server_context& ctx) {
  return ctx.config.snap_dir() + "/currentEpoch";
}

const char* mode_name(zab::role r) {
  switch (r) {
  case zab::role::leading: return "leader";
  case zab::role::following: return "follower";
  case zab::role::observing: return "observer";
  case zab::role::looking: break;
  }
  return "looking";
}

void run_actions(self_ptr self);

void send_app(self_ptr self, zab::server_id to, app_message m) {
  auto& st = self->state;
  self->send(st.links, app_out_atom::value, to, st.link_generation[to], std::move(m));
}

// A write this server cannot take (not serving, no leader): its origin gets an error in its
// place among the replies, through the store's stream.
void refuse_write(self_ptr self, write_request& w) {
  commit c{std::move(w.txn), std::move(w.from), true};
  commit_batch b;
  b.commits.push_back(std::move(c));
  self->send(self->state.ctx->store, std::move(b));
}

// Asks for a flush once every message already in the mailbox was handled: the writes that
// arrive together leave as one proposal per follower and one append batch (leader), or one
// forward_writes message (learner), not one message each — the log writer's group-commit
// trick.
void schedule_flush(self_ptr self) {
  auto& st = self->state;
  if (!st.flush_pending) {
    st.flush_pending = true;
    self->send(self, flush_proposals_atom::value);
  }
}

void propose_held(self_ptr self) {
  auto& st = self->state;
  while (!st.held.empty()) {
    auto& h = st.held.front();
    if (h.awaiting_right || !st.core->can_propose(h.config.has_value())) break;
    const bool reconfig = h.config.has_value();
    auto& m = *st.ctx->metrics;
    m.leader.proposal_size.record(static_cast<int64_t>(h.body.size()));
    m.proposal_count.Increment();
    if (!st.core->propose(st.ctx->clock->monotonic_ms(), std::move(h.body), std::move(h.config)))
      spdlog::error("the ZAB core refused a write it said it would take"); // cannot happen
    if (reconfig) st.reconfig_held = false; // the core has it pending now
    st.held.pop_front();
  }
  schedule_flush(self);
}

// The ensemble (the core's view of a configuration) of servers with addresses.
zab::ensemble ensemble_of(const config::members_map& members, int64_t version) {
  zab::ensemble e;
  for (const auto& [id, p] : members)
    e.members[id] = !p.observer;
  e.version = version;
  e.text = config::members_text(members);
  return e;
}

void leader_reconfig(self_ptr self, store::txn t);

// Leader: a write to propose, with the leader's clock stamped in (every server applies the
// same ctime / mtime).
void leader_write(self_ptr self, store::txn t) {
  if (t.reconfig) {
    leader_reconfig(self, std::move(t));
    return;
  }
  auto& st = self->state;
  t.zxid = 0; // the log record carries the zxid; recovery takes it from there
  t.time_ms = st.ctx->clock->wall_ms();
  auto& h = st.held.emplace_back();
  store::encode_txn(t, h.body);
  propose_held(self);
}

// Leader: a learner's forwarded write that decoded (and is not a reconfig), proposed as the
// bytes it came in with, stamped with the leader's clock (store::stamp_txn): the same txn as
// leader_write would encode, without encoding it again.
void leader_write_forwarded(self_ptr self, std::string body) {
  auto& st = self->state;
  st.held.emplace_back().body = store::stamp_txn(std::move(body), st.ctx->clock->wall_ms());
  propose_held(self);
}

// Leader: a client's reconfig, checked as ZooKeeper's PrepRequestProcessor checks it and in
// its order (ReconfigDisabled was the session's to answer): ReconfigInProgress, BadVersion,
// BadArguments, NewConfigNoQuorum, then NoAuth, which the store answers. A refused one is
// still a txn (ZooKeeper's ErrorTxn): it takes its zxid and answers its origin in order.
void leader_reconfig(self_ptr self, store::txn t) {
  auto& st = self->state;
  const auto request = std::move(*t.reconfig);
  t.reconfig.reset();
  t.ops.clear();
  auto refuse = [&](jute::error_code err, const std::string& why) {
    spdlog::info("reconfig from session 0x{:x} refused ({}): {}", t.session_id,
                 jute::error_name(err), why);
    t.refused = err;
    leader_write(self, std::move(t));
  };
  const auto& active = st.core->config();
  if (st.core->pending_config() || st.reconfig_held)
    return refuse(jute::error_code::reconfig_in_progress, "another reconfig is under way");
  if (request.cur_config_id != -1 && request.cur_config_id != active.version)
    return refuse(jute::error_code::bad_version,
                  "from version 0x" + config::hex_version(request.cur_config_id) +
                      ", the configuration is at 0x" + config::hex_version(active.version));
  auto next = config::reconfig_members(st.members, request.joining_servers, request.leaving_servers,
                                       request.new_members, st.ctx->config.standalone_enabled);
  if (auto* refusal = std::get_if<config::reconfig_refusal>(&next))
    return refuse(jute::error_code::bad_arguments, refusal->message);
  auto proposed = ensemble_of(std::get<config::members_map>(next), 0);
  if (!st.core->quorum_synced(proposed))
    return refuse(jute::error_code::new_config_no_quorum,
                  "a quorum of the new configuration is not connected and in sync");
  // The last check is the store's: hold the reconfig's place now, fill it when it answers.
  t.type = jute::opcode::reconfig;
  t.zxid = 0;
  t.time_ms = st.ctx->clock->wall_ms();
  t.ops.push_back(store::txn_op{
      jute::opcode::set_data,
      jute::set_data_request{std::string(store::data_tree::config_node), proposed.text, -1}});
  st.reconfig_held = true;
  st.held.push_back({std::string{}, std::move(proposed), true});
  self->request(st.ctx->store, caf::infinite, reconfig_right{t.auth})
      .then([=, t = std::move(t)](bool may) mutable {
        auto& s = self->state;
        auto it = std::find_if(s.held.begin(), s.held.end(),
                               [](const auto& h) { return h.awaiting_right; });
        if (it == s.held.end()) return; // this server stopped leading meanwhile
        if (!may) {
          spdlog::info("reconfig from session 0x{:x} refused (NoAuth): WRITE on {} is needed",
                       t.session_id, store::data_tree::config_node);
          t.refused = jute::error_code::no_auth;
          t.ops.clear();
          it->config.reset();
          s.reconfig_held = false;
        }
        store::encode_txn(t, it->body);
        it->awaiting_right = false;
        propose_held(self);
      });
}

// Learner: sends the writes gathered since the last flush to the leader, in order.
void forward_gathered(self_ptr self) {
  auto& st = self->state;
  if (st.forward_buffer.empty() || st.status.leader == zab::no_server) return;
  send_app(self, st.status.leader, forward_writes{std::exchange(st.forward_buffer, {})});
}

void release_syncs(self_ptr self) {
  auto& st = self->state;
  const auto applied = st.core->last_applied();
  while (!st.local_syncs.empty() && st.local_syncs.front().first <= applied) {
    self->send(st.ctx->store, std::move(st.local_syncs.front().second));
    st.local_syncs.pop_front();
  }
  const auto committed = st.core->last_committed();
  while (!st.remote_syncs.empty() && st.remote_syncs.front().zxid <= committed) {
    auto r = st.remote_syncs.front();
    st.remote_syncs.pop_front();
    // The commits up to r.zxid went to the learner ahead of this answer only if the core
    // still streams to the same connection of it; a learner dropped meanwhile (or joined
    // again since) missed some, and its sync stays unanswered.
    if (st.core->commit_stream(r.learner) == r.stream)
      send_app(self, r.learner, sync_ack{r.id});
    else
      spdlog::debug("sync {} of learner {} dropped: the leader no longer streams commits to it",
                    r.id, r.learner);
  }
}

// Linearizable reads whose index is confirmed and applied go to the store, in arrival order,
// behind the commits they must see (the store serves its mailbox in order).
void release_reads(self_ptr self) {
  auto& st = self->state;
  st.reads.release(st.core->last_applied(),
                   [&](read_request r) { self->send(st.ctx->store, std::move(r)); });
}

// Leader: a read round was confirmed (zab::read_index_ready): this server's reads of it may
// go once the index is applied, and learners' requests of it are answered, each on the
// commit stream it came in on, after the commits up to the index.
void read_index_ready(self_ptr self, const zab::read_index_ready& r) {
  auto& st = self->state;
  st.reads.confirm(r.round, r.index);
  while (!st.remote_reads.empty() && st.remote_reads.front().round <= r.round) {
    auto rr = st.remote_reads.front();
    st.remote_reads.pop_front();
    // A learner dropped meanwhile (or joined again since) may have missed commits before the
    // index: it gets no answer, and its reads end with its connection to this leader.
    if (st.core->commit_stream(rr.learner) == rr.stream)
      send_app(self, rr.learner, read_index_ack{rr.id, r.index});
  }
}

// A client's linearizable read. Leader: it joins the core's next read round. Learner: it
// joins this server's next request for a read index, sent at once when none is in flight.
void linearizable_read(self_ptr self, read_request& r) {
  auto& st = self->state;
  if (!st.status.serving || st.status.leader == zab::no_server) return; // connection closes
  if (st.status.now == zab::role::leading) {
    auto round = st.core->read_index(st.ctx->clock->monotonic_ms());
    if (!round) return; // not a serving leader after all: its connections close
    st.reads.push(*round, std::move(r));
    run_actions(self); // the round's pings (or, a leader alone, its confirmation)
    return;
  }
  const auto t = st.learner_read_rounds.add();
  st.reads.push(t.round, std::move(r));
  if (t.start) send_app(self, st.status.leader, forward_read{static_cast<int64_t>(t.round)});
}

// Learner: the leader confirmed the read index of request `a.id` (the one in flight).
void learner_read_index(self_ptr self, const read_index_ack& a) {
  auto& st = self->state;
  const auto in_flight = st.learner_read_rounds.in_flight();
  if (!in_flight || static_cast<int64_t>(*in_flight) != a.id) return; // of an older connection
  st.reads.confirm(*in_flight, a.index);
  if (auto next = st.learner_read_rounds.finish())
    send_app(self, st.status.leader, forward_read{static_cast<int64_t>(*next)});
  // While a blocking step waits, applies the core already counts may still be queued behind
  // it: the reads go when run_actions has carried them out.
  if (!st.blocked) release_reads(self);
}

void apply(self_ptr self, zab::apply_txns& a) {
  auto& st = self->state;
  auto& metrics = *st.ctx->metrics;
  const bool leading = st.status.now == zab::role::leading;
  if (leading) metrics.commit_count.Increment(static_cast<double>(a.txns.size()));
  const int64_t now_wall = st.ctx->clock->wall_ms();
  commit_batch batch;
  batch.report_digests = leading;
  batch.commits.reserve(a.txns.size());
  for (auto& zt : a.txns) {
    commit c;
    if (!store::decode_txn(zt.payload.view(), c.txn)) {
      // Every server would fail the same way; stopping is the only honest answer.
      spdlog::critical("committed txn 0x{:x} does not decode; stopping", zt.zxid);
      self->quit(caf::exit_reason::user_shutdown);
      return;
    }
    c.txn.zxid = zt.zxid;
    // From the leader's stamp to this server applying it; clocks of two hosts, so a negative
    // difference says nothing and is dropped, as ZooKeeper drops it.
    if (const int64_t latency = now_wall - c.txn.time_ms; latency >= 0) {
      metrics.propagation_latency.Observe(static_cast<double>(latency));
      // The same span at the point where a txn commits: the leader's quorum of acks
      // (quorum_ack_latency), a learner's COMMIT or INFORM (commit_propagation_latency).
      (leading ? metrics.quorum_ack_latency : metrics.commit_propagation_latency)
          .Observe(static_cast<double>(latency));
    }
    auto it = st.pending.find({c.txn.session_id, c.txn.cxid});
    if (it != st.pending.end()) {
      c.from = std::move(it->second);
      st.pending.erase(it);
    }
    batch.commits.push_back(std::move(c));
  }
  if (!batch.commits.empty()) self->send(st.ctx->store, std::move(batch));
}

// One line when an election starts and one when it ends, with its result and duration.
void log_election(quorum_peer_state& st, const zab::status_changed& s) {
  const int64_t now_us = st.ctx->clock->monotonic_us();
  if (s.now == zab::role::looking) {
    if (st.election_started_us >= 0) return;
    st.election_started_us = now_us;
    spdlog::info("leader election started (last epoch {})", s.epoch);
  } else if (st.election_started_us >= 0) {
    spdlog::info("leader election took {} ms: server {} leads; this server: {}",
                 (now_us - st.election_started_us) / 1000, s.leader, mode_name(s.now));
    st.election_started_us = -1;
  }
}

// The leader gauges (learners, synced followers and observers, pending syncs) for mntr and
// /metrics; called at each tick and each role change, so they are at most 50 ms old.
void publish_leader_gauges(self_ptr self) {
  auto& st = self->state;
  auto& l = st.ctx->metrics->leader;
  const auto c = st.core->leader_learner_counts();
  const bool leading = st.status.now == zab::role::leading;
  l.learners.store(static_cast<int64_t>(c.learners), std::memory_order_relaxed);
  l.synced_followers.store(static_cast<int64_t>(c.synced_followers), std::memory_order_relaxed);
  l.synced_non_voting_followers.store(static_cast<int64_t>(c.synced_non_voting_followers),
                                      std::memory_order_relaxed);
  l.synced_observers.store(static_cast<int64_t>(c.synced_observers), std::memory_order_relaxed);
  // Learners' syncs waiting for the commit of the proposals before them (ZooKeeper's
  // pendingSyncs holds the same: syncs forwarded by learners).
  l.pending_syncs.store(leading ? static_cast<int64_t>(st.remote_syncs.size()) : 0,
                        std::memory_order_relaxed);
}

// ZooKeeper's election and sync figures, and the leader gauges' start, at a role change.
void record_role_change(self_ptr self, const zab::status_changed& before,
                        const zab::status_changed& now) {
  auto& st = self->state;
  auto& m = *st.ctx->metrics;
  const int64_t t = st.ctx->clock->monotonic_ms();
  if (now.now == zab::role::looking && before.now != zab::role::looking) {
    m.looking_count.Increment();
    st.looking_since_ms = t;
  } else if (now.now != zab::role::looking && before.now == zab::role::looking) {
    m.election_time.Observe(static_cast<double>(t - st.looking_since_ms));
    st.role_since_ms = t;
    if (now.now == zab::role::leading) m.leader.started_ms.store(t, std::memory_order_relaxed);
  }
  if (now.serving && !before.serving) {
    if (now.now == zab::role::following)
      m.follower_sync_time.Observe(static_cast<double>(t - st.role_since_ms));
    else if (now.now == zab::role::observing)
      m.observer_sync_time.Observe(static_cast<double>(t - st.role_since_ms));
  }
  m.leader.leading.store(now.now == zab::role::leading && now.serving, std::memory_order_relaxed);
  publish_leader_gauges(self);
}

void status_changed(self_ptr self, const zab::status_changed& s) {
  auto& st = self->state;
  log_election(st, s);
  const bool was_serving = st.status.serving;
  record_role_change(self, st.status, s);
  st.status = s;
  // The four-letter words show a role only while this server serves (ZooKeeper's "not
  // currently serving" otherwise), and only once its listener takes clients (below), so that
  // a client that saw "Mode: follower" is not turned away.
  auto& shown_mode = st.ctx->stats->zab_mode;
  st.ctx->stats->zab_role.store(static_cast<int>(s.now), std::memory_order_relaxed);
  st.ctx->stats->leader_id.store(s.leader, std::memory_order_relaxed);
  if (!s.serving)
    shown_mode.store(static_cast<int>(zab::role::looking), std::memory_order_relaxed);
  else if (was_serving)
    shown_mode.store(static_cast<int>(s.now), std::memory_order_relaxed);
  spdlog::info("ZAB: {} (leader {}, epoch {}){}", mode_name(s.now), s.leader, s.epoch,
               s.serving ? ", serving clients" : "");
  self->send(st.ctx->tracker, role_atom::value, s.now == zab::role::leading && s.serving);
  if (st.ctx->sweeper)
    self->send(st.ctx->sweeper, role_atom::value, s.now == zab::role::leading && s.serving);
  if (was_serving != s.serving) {
    // The listener closes every connection when this server stops serving. Replies to what it
    // applied just before (a reconfig that removed it, say) are still on their way through
    // the store and the watch manager: tell the listener behind them, so that their sessions
    // get them first. Changes the other way take the same road to stay in order.
    self->request(st.ctx->store, caf::infinite, drain_atom::value)
        .then([=, listener = st.listener, on = s.serving](bool) {
          self->send(listener, serving_atom::value, on);
          const auto& now = self->state.status;
          if (on && now.serving)
            self->state.ctx->stats->zab_mode.store(static_cast<int>(now.now),
                                                   std::memory_order_relaxed);
        });
  }
  if (!s.serving) {
    // The listener closes every client connection: nobody waits for these any more.
    st.pending.clear();
    st.held.clear();
    st.reconfig_held = false;
    st.forward_buffer.clear();
    st.local_syncs.clear();
    st.remote_syncs.clear();
    st.learner_syncs.clear();
    st.reads.clear();
    st.remote_reads.clear();
    st.learner_read_rounds.reset();
  }
}

// ZooKeeper's files for the active configuration: zoo.cfg.dynamic.<hex version> beside
// zoo.cfg, and zoo.cfg rewritten to point at it (reconfigEnabled only, as ZooKeeper), so that a
// restart comes back with it. Small files, each
// replaced atomically; a failure is logged and the server goes on (as ZooKeeper): it has the
// configuration in memory, and its peers will tell it again after a restart.
void persist_config(self_ptr self, const zab::activate_config& a) {
  auto& st = self->state;
  const auto& cfg = st.ctx->config;
  auto& disk = *st.ctx->disk;
  if (!cfg.reconfig_enabled || cfg.config_path.empty()) return;
  const auto dynamic_path = config::dynamic_config_path(cfg.config_path, a.config.version);
  auto status = store::write_file_atomically(disk, dynamic_path, a.config.text);
  std::string zoo_cfg;
  if (status.ok()) status = store::read_whole_file(disk, cfg.config_path, zoo_cfg);
  if (status.ok()) {
    const auto mine = st.members.find(cfg.server_id);
    const bool own_client_address = mine != st.members.end() && mine->second.client_port != 0;
    status = store::write_file_atomically(
        disk, cfg.config_path,
        config::rewrite_static_config(zoo_cfg, dynamic_path, own_client_address));
  }
  if (!status.ok())
    spdlog::error("cannot write configuration 0x{:x} to {}: {}", a.config.version, dynamic_path,
                  status.message);
}

// A configuration became active (a reconfig committed, the first leader stamped zoo.cfg's,
// or a peer showed a newer one): remember the addresses, keep it on disk, show it in
// /zookeeper/config and link to its servers.
void activate(self_ptr self, const zab::activate_config& a) {
  auto& st = self->state;
  auto parsed = config::parse_members(a.config.text);
  if (auto* e = std::get_if<config::config_error>(&parsed)) {
    spdlog::error("configuration 0x{:x} does not parse ({}); keeping the addresses known",
                  a.config.version, e->to_string());
  } else {
    st.members = std::move(std::get<config::members_map>(parsed));
  }
  spdlog::info("configuration 0x{:x} active: {} voters among {} servers{}", a.config.version,
               a.config.voter_count(), a.config.members.size(),
               a.removed ? "; this server is no longer a member: it goes on as a non-voting learner"
                         : "");
  persist_config(self, a);
  auto node_data = config::config_node_data(a.config.text, a.config.version);
  st.ctx->stats->set_membership(node_data);
  self->send(st.ctx->store, config_node_atom::value, std::move(node_data), a.config.version);
  // Its own client address, when the line gives one: the listener moves there if it changed.
  if (auto mine = st.members.find(st.ctx->config.server_id);
      mine != st.members.end() && mine->second.client_port != 0) {
    const auto port = static_cast<uint16_t>(mine->second.client_port);
    const auto address = mine->second.client_address;
    self->request(st.listener, std::chrono::seconds(10), open_atom::value, port, address)
        .then([](uint16_t) {},
              [=](caf::error& err) {
                spdlog::error("cannot listen for clients on {}:{} ({}); the old address stays",
                              address.empty() ? "0.0.0.0" : address, port,
                              self->system().render(err));
              });
  }
  if (st.links) {
    peer_membership m; // this server's own line too: its ports may have moved
    for (const auto& [id, p] : st.members)
      m.peers.emplace(id, p);
    self->send(st.links, std::move(m));
  }
}

void persist(self_ptr self, const zab::persist_epochs& p) {
  auto& ctx = *self->state.ctx;
  auto status = store::write_epoch_file(*ctx.disk, accepted_epoch_path(ctx), p.accepted_epoch);
  if (status.ok())
    status = store::write_epoch_file(*ctx.disk, current_epoch_path(ctx), p.current_epoch);
  if (!status.ok()) {
    // ZAB's promises rest on these: without them on disk this server must not go on.
    spdlog::critical("cannot persist the epochs: {}; stopping", status.message);
    self->quit(caf::exit_reason::user_shutdown);
  }
}

// Logs the leader's choice of sync for a learner and counts it as ZooKeeper does: SNAP in
// snap_count, DIFF and TRUNC (both replay the log) in diff_count.
void log_sync_choice(metrics::server_metrics& m, const zab::send_message& s) {
  if (auto* d = std::get_if<zab::sync_diff>(&s.msg)) {
    spdlog::info("sync of learner {}: DIFF up to 0x{:x}", s.to, d->last_zxid);
    m.diff_count.Increment();
  } else if (auto* t = std::get_if<zab::sync_trunc>(&s.msg)) {
    spdlog::info("sync of learner {}: TRUNC to 0x{:x}", s.to, t->zxid);
    m.diff_count.Increment();
  } else if (auto* n = std::get_if<zab::sync_snap>(&s.msg)) {
    spdlog::info("sync of learner {}: SNAP of 0x{:x} (streamed: stream {})", s.to, n->zxid,
                 n->stream);
    m.snap_count.Increment();
  }
}

// The configuration the core has pending, when newer than the active one: then the tree holds
// it in /zookeeper/config, and the node is left as it is (at start-up and after a sync).
const zab::ensemble* newer_pending_config(const zab::peer& core) {
  const auto& pending = core.pending_config();
  return pending && pending->version > core.config().version ? &*pending : nullptr;
}

// A tree reloaded after a TRUNC or installed from the leader's SNAP shows in /zookeeper/config
// whatever the older data held there; ZooKeeper's Learner.syncWithLeader stamps the active
// configuration after a sync (initConfigInZKDatabase). The core's pending configuration, when
// newer than the active one, is kept instead: the tree holds it already (a reconfig the TRUNC
// kept, or the last seen configuration at start-up), as at start-up.
void show_config_after_sync(self_ptr self) {
  auto& st = self->state;
  const auto& active = st.core->config();
  if (newer_pending_config(*st.core)) return;
  self->send(st.ctx->store, config_node_atom::value,
             config::config_node_data(active.text, active.version), active.version);
}

// Waits for a blocking step's answer; the actions after it run when it comes.
template <class Dest, class... Ts>
void blocking_request(self_ptr self, const Dest& dest, const char* what, Ts&&... xs) {
  auto& st = self->state;
  st.blocked = true;
  self->request(dest, caf::infinite, std::forward<Ts>(xs)...)
      .await(
          [=](bool ok, const std::string& error) {
            if (!ok) {
              spdlog::critical("{} failed: {}; stopping", what, error);
              self->quit(caf::exit_reason::user_shutdown);
              return;
            }
            self->state.blocked = false;
            run_actions(self);
          },
          [=](caf::error& err) {
            spdlog::critical("{} failed: {}; stopping", what, self->system().render(err));
            self->quit(caf::exit_reason::user_shutdown);
          });
}

void run_action(self_ptr self, zab::action& a) {
  auto& st = self->state;
  std::visit(
      [&](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, zab::send_message>) {
          log_sync_choice(*st.ctx->metrics, x);
          self->send(st.links, zab_out_atom::value, x.to, st.link_generation[x.to],
                     std::move(x.msg));
        } else if constexpr (std::is_same_v<T, zab::persist_epochs>) {
          persist(self, x);
        } else if constexpr (std::is_same_v<T, zab::append_log>) {
          log_append_batch batch;
          batch.items.reserve(x.txns.size());
          for (auto& t : x.txns)
            batch.items.push_back({0, t.zxid, t.payload}); // shared, not copied
          self->send(st.ctx->log_writer, std::move(batch));
        } else if constexpr (std::is_same_v<T, zab::truncate_log>) {
          spdlog::info("TRUNC: dropping logged txns after 0x{:x}{}", x.zxid,
                       x.reload ? ", then reloading the tree from disk" : "");
          if (x.reload) {
            st.todo.emplace_front(quorum_peer_state::show_config{});
            st.todo.emplace_front(quorum_peer_state::reload_tree{x.zxid});
          }
          blocking_request(self, st.ctx->log_writer, "log truncation", truncate_atom::value,
                           x.zxid);
        } else if constexpr (std::is_same_v<T, zab::install_snapshot>) {
          // The old log goes once the snapshot replacing it is durable.
          st.todo.emplace_front(quorum_peer_state::show_config{});
          st.todo.emplace_front(quorum_peer_state::reset_log{x.zxid});
          blocking_request(self, st.ctx->store, "installing the leader's snapshot",
                           install_atom::value, x.zxid);
        } else if constexpr (std::is_same_v<T, zab::apply_txns>) {
          apply(self, x);
        } else if constexpr (std::is_same_v<T, zab::take_snapshot>) {
          const auto learner = x.learner;
          self->request(st.ctx->store, caf::infinite, take_snap_atom::value)
              .then(
                  [=](int64_t zxid, uint64_t stream) {
                    auto& s = self->state;
                    // The core may not use it (the learner left, or the image is too old):
                    // then the store's copy-on-write snapshot is released at once.
                    if (!s.core->on_snapshot_taken(s.ctx->clock->monotonic_ms(), learner, zxid,
                                                   stream))
                      self->send(s.ctx->store, snap_release_atom::value, stream);
                    run_actions(self);
                  },
                  [=](caf::error& err) {
                    // The learner is not synced now; it times out (initLimit) and joins again.
                    spdlog::error("no snapshot for learner {}: {}", learner,
                                  self->system().render(err));
                  });
        } else if constexpr (std::is_same_v<T, zab::status_changed>) {
          status_changed(self, x);
        } else if constexpr (std::is_same_v<T, zab::activate_config>) {
          activate(self, x);
        } else if constexpr (std::is_same_v<T, zab::read_index_ready>) {
          read_index_ready(self, x);
        }
      },
      a);
}

void run_actions(self_ptr self) {
  auto& st = self->state;
  for (auto& a : st.core->take_actions())
    st.todo.emplace_back(std::move(a));
  while (!st.todo.empty() && !st.blocked) {
    auto step = std::move(st.todo.front());
    st.todo.pop_front();
    if (auto* a = std::get_if<zab::action>(&step))
      run_action(self, *a);
    else if (auto* r = std::get_if<quorum_peer_state::reload_tree>(&step))
      blocking_request(self, st.ctx->store, "reloading the tree", reload_atom::value, r->zxid);
    else if (std::holds_alternative<quorum_peer_state::show_config>(step))
      show_config_after_sync(self);
    else
      blocking_request(self, st.ctx->log_writer, "dropping the old log", reset_log_atom::value,
                       std::get<quorum_peer_state::reset_log>(step).zxid);
  }
  if (!st.blocked) {
    release_syncs(self);
    release_reads(self);
  }
}

} // namespace

quorum_peer_handle::behavior_type
quorum_peer(self_ptr self, context_ptr ctx, zab::persistent_state state, listener_handle listener) {
  // Nothing happens until the server hands over the published peer_links (links_atom).
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.listener = std::move(listener);
  const auto& cfg = st.ctx->config;
  // The active configuration: zoo.cfg's server lines, or the dynamic file a reconfig wrote
  // (its version in the file's name). /zookeeper/config shows it from the start (below), as
  // ZooKeeper's initConfigInZKDatabase does.
  st.members = cfg.servers;
  auto members = ensemble_of(cfg.servers, cfg.config_version);
  auto node_data = config::config_node_data(members.text, members.version);
  // The four-letter words and the admin server show the active configuration, as ZooKeeper's
  // `conf` (getQuorumVerifier), also while /zookeeper/config shows a newer pending one (below).
  st.ctx->stats->set_membership(node_data);
  zab::timing timing;
  timing.tick_ms = cfg.tick_time_ms;
  timing.init_limit = cfg.init_limit;
  timing.sync_limit = cfg.sync_limit;
  st.core = std::make_unique<zab::peer>(cfg.server_id, members, timing, std::move(state));
  // /zookeeper/config shows the active configuration, unless the recovered tree holds a newer
  // one, which the core now has pending (zab_recovery.cpp): the node keeps that, as
  // ZooKeeper's loaded database keeps its own. Overwritten with an older version, a snapshot
  // taken before the pending one activates would forget it again.
  if (const auto* pending = newer_pending_config(*st.core))
    spdlog::info("configuration 0x{:x}, seen before the restart, is pending; 0x{:x} is active "
                 "until a leader commits it or a peer shows it committed",
                 pending->version, members.version);
  else
    self->send(st.ctx->store, config_node_atom::value, std::move(node_data), members.version);
  st.election_started_us = st.ctx->clock->monotonic_us(); // every server starts looking
  spdlog::info("leader election started");
  self->set_down_handler([=](caf::down_msg& msg) {
    spdlog::critical("peer links stopped ({}); stopping", self->system().render(msg.reason));
    self->quit(caf::exit_reason::user_shutdown);
  });
  return {
      // The server published peer_links on the election and quorum ports: ZAB starts.
      [=](links_atom, peer_links_handle& links) {
        auto& s = self->state;
        if (s.links) return;
        s.links = std::move(links);
        self->monitor(s.links);
        s.looking_since_ms = s.ctx->clock->monotonic_ms(); // the first election starts now
        s.ctx->metrics->looking_count.Increment();
        s.core->start(s.ctx->clock->monotonic_ms());
        run_actions(self);
        self->delayed_send(self, tick_interval, core_tick_atom::value);
      },
      [=](flush_proposals_atom) {
        self->state.flush_pending = false;
        forward_gathered(self);
        run_actions(self);
      },
      [=](core_tick_atom) {
        self->state.core->on_tick(self->state.ctx->clock->monotonic_ms());
        run_actions(self);
        publish_leader_gauges(self);
        self->delayed_send(self, tick_interval, core_tick_atom::value);
      },
      // From the other servers, through peer_links.
      [=](zab_in_atom, zab::server_id from, zab::message& m) {
        if (!self->state.links) return; // before the start: nothing was sent, nothing is owed
        metrics::record_mailbox_depth(self, self->state.ctx->metrics->mailbox_depth.quorum_peer);
        self->state.core->on_message(self->state.ctx->clock->monotonic_ms(), from, m);
        run_actions(self);
      },
      [=](link_down_atom, zab::server_id peer, uint64_t generation) {
        self->state.link_generation[peer] = generation;
        if (!self->state.links) return;
        self->state.core->on_peer_down(self->state.ctx->clock->monotonic_ms(), peer);
        run_actions(self);
      },
      [=](app_in_atom, zab::server_id from, app_message& m) {
        auto& s = self->state;
        const bool leading = s.status.now == zab::role::leading && s.status.serving;
        if (auto* w = std::get_if<forward_writes>(&m)) {
          // Decoded first: bytes that do not decode must never become a txn every server
          // would fail to apply, and a reconfig is the leader's to decide. The others are
          // proposed as they came, with the leader's clock appended.
          store::txn t;
          for (auto& body : w->txns) {
            if (!leading) break;
            if (!store::decode_txn(body, t))
              spdlog::error("a write forwarded by server {} does not decode; dropped", from);
            else if (t.reconfig)
              leader_write(self, std::move(t));
            else
              leader_write_forwarded(self, std::move(body));
          }
        } else if (auto* fs = std::get_if<forward_sync>(&m)) {
          // Only a learner the core still sends every commit to may have its sync answered:
          // one it dropped for silence (and which may not know yet) would read stale data as
          // synced. Unanswered, the sync ends with the learner's connection to this leader.
          auto stream = leading ? s.core->commit_stream(from) : std::nullopt;
          if (stream) {
            s.remote_syncs.push_back({s.core->last_logged(), from, *stream, fs->id});
            release_syncs(self);
          } else if (leading) {
            spdlog::debug("sync {} of server {} dropped: the leader does not stream commits to it",
                          fs->id, from);
          }
        } else if (auto* ack = std::get_if<sync_ack>(&m)) {
          // Every commit the leader sent before this is applied (or on its way to the store
          // ahead of this sync): the sync is answered in the store's order.
          auto it = s.learner_syncs.find(ack->id);
          if (it != s.learner_syncs.end()) {
            self->send(s.ctx->store, std::move(it->second));
            s.learner_syncs.erase(it);
          }
        } else if (auto* t = std::get_if<session_touches>(&m)) {
          if (leading) self->send(s.ctx->tracker, touches_atom::value, std::move(t->ids));
        } else if (auto* d = std::get_if<tree_digest_report>(&m)) {
          // Behind the commits it follows: the store compares it once it applied that zxid.
          if (!leading && from == s.status.leader)
            self->send(s.ctx->store, digest_check_atom::value, std::move(d->digests));
        } else if (auto* fr = std::get_if<forward_read>(&m)) {
          // As a sync: only a learner the core streams every commit to may be answered.
          // Unanswered, the learner's reads wait, but never for long: the core has no round
          // to give only when this server no longer leads (its learners hear `looking` and
          // stop serving, which fails their reads) or has no commit stream to that learner
          // (it dropped the learner, whose link or syncLimit then ends its serving too).
          auto stream = leading ? s.core->commit_stream(from) : std::nullopt;
          auto round = stream ? s.core->read_index(s.ctx->clock->monotonic_ms()) : std::nullopt;
          if (round) {
            s.remote_reads.push_back({*round, from, *stream, fr->id});
            run_actions(self);
          }
        } else if (auto* ra = std::get_if<read_index_ack>(&m)) {
          learner_read_index(self, *ra);
        }
      },
      // The log writer.
      [=](logged& l) {
        metrics::record_mailbox_depth(self, self->state.ctx->metrics->mailbox_depth.quorum_peer);
        self->state.core->on_logged(self->state.ctx->clock->monotonic_ms(), l.zxid);
        run_actions(self);
        if (!self->state.held.empty()) propose_held(self);
      },
      [=](log_failed& f) {
        // A learner cannot ack what it could not log, and a leader cannot count itself: as
        // ZooKeeper, stop; what is on disk is recovered at the next start.
        spdlog::critical("txn log write failed in an ensemble: {}; stopping", f.reason);
        self->quit(caf::exit_reason::user_shutdown);
      },
      // This server's clients.
      [=](write_request& w) {
        auto& s = self->state;
        metrics::record_mailbox_depth(self, s.ctx->metrics->mailbox_depth.quorum_peer);
        // A txn no client asked for (a session expiry) is the leader's decision alone. One
        // made by a server that has just stopped leading (a paused leader resuming expires
        // every session it tracked) must not reach the new leader: it would end live sessions.
        if (!w.from.session && s.status.now != zab::role::leading) {
          spdlog::debug("dropping a server-made txn (type {}): this server does not lead",
                        w.txn.type);
          return;
        }
        if (!s.status.serving || s.status.leader == zab::no_server) {
          refuse_write(self, w);
          return;
        }
        if (w.from.session) s.pending[{w.txn.session_id, w.txn.cxid}] = w.from;
        if (s.status.now == zab::role::leading) {
          leader_write(self, std::move(w.txn));
        } else {
          store::encode_txn(w.txn, s.forward_buffer.emplace_back());
          schedule_flush(self);
        }
      },
      [=](sync_request& r) {
        auto& s = self->state;
        if (!s.status.serving || s.status.leader == zab::no_server) return; // connection closes
        if (s.status.now == zab::role::leading) {
          s.local_syncs.emplace_back(s.core->last_logged(), std::move(r));
          release_syncs(self);
        } else {
          forward_gathered(self); // the session's writes before its sync go first
          auto id = s.next_sync_id++;
          s.learner_syncs.emplace(id, std::move(r));
          send_app(self, s.status.leader, forward_sync{id});
        }
      },
      [=](read_request& r) { linearizable_read(self, r); },
      // Fault injection: break one ZAB link. The leader's are those to its learners (one
      // asked for, or any), a learner's the one to its leader.
      [=](drop_link_atom, zab::server_id wanted) -> caf::result<zab::server_id> {
        auto& s = self->state;
        std::vector<zab::server_id> candidates;
        if (s.links && s.status.serving) {
          if (s.status.now == zab::role::leading) {
            for (const auto& member : s.members) {
              const zab::server_id id = member.first;
              if (id != s.ctx->config.server_id && (wanted == zab::no_server || wanted == id))
                candidates.push_back(id);
            }
          } else if (s.status.leader != zab::no_server &&
                     (wanted == zab::no_server || wanted == s.status.leader)) {
            candidates.push_back(s.status.leader);
          }
        }
        if (candidates.empty()) return zab::no_server;
        auto rp = self->make_response_promise<zab::server_id>();
        self->request(s.links, std::chrono::seconds(2), drop_link_atom::value,
                      std::move(candidates))
            .then([=](zab::server_id id) mutable { rp.deliver(id); },
                  [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      // The store, at most every 100 ms: its digest after every txn since its previous report.
      // A leader sends them on to every learner it streams commits to: after the COMMITs
      // already sent, so normally after the learner applied those zxids (the learner's store
      // waits for them otherwise).
      [=](digest_report_atom, std::vector<std::pair<int64_t, int64_t>>& digests) {
        auto& s = self->state;
        if (s.status.now != zab::role::leading || !s.status.serving) return;
        std::vector<zab::server_id> to;
        for (const auto& member : s.members)
          if (member.first != s.ctx->config.server_id && s.core->commit_stream(member.first))
            to.push_back(member.first);
        // Up to 65,536 entries: copied for all but the last learner, which takes the vector.
        for (size_t i = 0; i < to.size(); ++i)
          send_app(self, to[i],
                   tree_digest_report{i + 1 == to.size() ? std::move(digests) : digests});
      },
      // The store, on a learner: its tree disagrees with the leader's. Leave the leader and
      // come back synced by SNAP (zab::peer::resync_by_snapshot).
      [=](digest_mismatch_atom, int64_t zxid) {
        auto& s = self->state;
        if (s.status.now == zab::role::leading) return;
        spdlog::warn("leaving leader {} to be synced again by SNAP: tree digest mismatch after "
                     "zxid 0x{:x}",
                     s.status.leader, zxid);
        s.core->resync_by_snapshot(s.ctx->clock->monotonic_ms());
        run_actions(self);
      },
      // The tracker, on a learner: sessions its clients kept alive.
      [=](touches_atom, std::vector<int64_t>& ids) {
        auto& s = self->state;
        if (s.status.serving && s.status.now != zab::role::leading &&
            s.status.leader != zab::no_server)
          send_app(self, s.status.leader, session_touches{std::move(ids)});
      },
  };
}

} // namespace paddock::actors
