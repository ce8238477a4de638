#include "sim_cluster.hpp"

#include <algorithm>
#include <sstream>
#include <utility>

namespace paddock::sim {

using namespace paddock::zab;

struct cluster::node {
  server_id id = 0;
  bool up = true;
  bool started = false; // a spare is not, until it joins
  int64_t restart_at = 0;
  // Paused (a stopped process, SIGSTOP) until then: no ticks, no messages taken, no disk
  // writes done; what others send it waits in its channels, and it resumes believing what it
  // believed when it stopped.
  int64_t paused_until = 0;
  ensemble config; // its dynamic config file: what activate_config last wrote
  std::unique_ptr<peer> core;
  // What survives a crash.
  int64_t accepted = 0, current = 0;
  zxid_t snap_zxid = 0;
  std::vector<txn> snap_state;
  std::vector<txn> log;
  // What does not.
  std::vector<txn> pending; // handed to append_log, not yet durable
  int64_t disk_done_at = 0;
  zxid_t last_appended = 0;
  std::vector<txn> state; // the state machine: every txn applied, in order
  std::vector<std::pair<int64_t, server_id>> snapshot_requests;
  // Leader: the images fixed for learners' SNAP (take_snapshot), by stream, until the
  // sync_snap naming one is sent. Learner: the last image streamed to it, as the transport
  // hands it over just before the sync_snap.
  uint64_t next_stream = 0;
  std::map<uint64_t, std::pair<zxid_t, std::vector<txn>>> snap_streams;
  std::optional<std::pair<zxid_t, std::vector<txn>>> received_image;
  status_changed status;
  std::map<zxid_t, std::string> proposed; // stamped by this incarnation as leader
  std::vector<server_id> downs;           // on_peer_down owed to this node
  // Linearizable reads asked of this incarnation as leader (read_index), waiting for their
  // round: the newest txn any serving leader had applied when each arrived.
  struct pending_read {
    uint64_t round;
    zxid_t committed_at_arrival;
  };
  std::vector<pending_read> reads;
};

void sim_stats::add(const sim_stats& o) {
  leader_changes += o.leader_changes;
  diffs += o.diffs;
  truncs += o.truncs;
  snaps += o.snaps;
  acked += o.acked;
  reads_confirmed += o.reads_confirmed;
  reads_abandoned += o.reads_abandoned;
  stale_plain_reads += o.stale_plain_reads;
  crashes += o.crashes;
  partitions += o.partitions;
  disconnects += o.disconnects;
  pauses += o.pauses;
  reconfigs_proposed += o.reconfigs_proposed;
  reconfigs_activated += o.reconfigs_activated;
  removals += o.removals;
}

namespace {

// The state machine's view of a txn: its zxid and payload. (A reconfig's configuration is
// the core's business; the sim's snapshots do not keep it.)
bool same(const txn& a, const txn& b) {
  return a.zxid == b.zxid && a.payload == b.payload;
}
bool same(const std::vector<txn>& a, const std::vector<txn>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](const txn& x, const txn& y) { return same(x, y); });
}

std::string hex(zxid_t z) {
  std::ostringstream o;
  o << "0x" << std::hex << z;
  return o.str();
}

} // namespace

cluster::cluster(sim_options opt) : opt_(opt), rng_(opt.seed * 0x2545f4914f6cdd1dULL + 7) {
  for (int i = 1; i <= opt_.voters + opt_.observers; ++i)
    members_.members[i] = i <= opt_.voters;
  const int total = opt_.voters + opt_.observers + opt_.spares;
  timing_.tick_ms = 100;
  timing_.init_limit = 10;
  timing_.sync_limit = 5;
  timing_.finalize_wait_ms = 50;
  timing_.election_resend_ms = 100;
  timing_.election_resend_max_ms = 800;
  timing_.max_diff_txns = rng_.chance(0.5) ? 20 : 5000;
  timing_.max_in_flight = rng_.chance(0.3) ? 5 : 1000;
  for (int id = 1; id <= total; ++id) {
    auto n = std::make_unique<node>();
    n->id = id;
    n->config = members_;
    n->up = false;
    nodes_.push_back(std::move(n));
  }
  for (auto& n : nodes_)
    if (members_.contains(n->id)) {
      n->started = true;
      restart(*n);
    }
}

cluster::~cluster() = default;

cluster::node& cluster::at(server_id id) {
  return *nodes_.at(static_cast<size_t>(id - 1));
}

void cluster::trace(const std::string& line) {
  std::string entry = "t=" + std::to_string(now_) + " " + line;
  if (opt_.trace) std::fprintf(stderr, "%s\n", entry.c_str());
  trace_tail_.push_back(std::move(entry));
  if (trace_tail_.size() > 60) trace_tail_.pop_front();
}

void cluster::fail(const std::string& what) {
  if (!failure_.empty()) return;
  std::ostringstream o;
  o << "seed " << opt_.seed << ", t=" << now_ << " ms: " << what << "\nlast events:\n";
  for (const auto& l : trace_tail_)
    o << "  " << l << "\n";
  failure_ = o.str();
}

bool cluster::connected(server_id a, server_id b) const {
  return isolated_.contains(a) == isolated_.contains(b);
}

void cluster::break_link(server_id a, server_id b) {
  channels_.erase({a, b});
  channels_.erase({b, a});
  for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
    auto& n = at(x);
    if (n.up) {
      n.core->on_peer_down(now_, y);
      carry_out(n);
    }
  }
}

void cluster::crash(node& n) {
  trace("crash " + std::to_string(n.id));
  n.up = false;
  n.core.reset();
  n.pending.clear();
  n.state.clear();
  n.snapshot_requests.clear();
  n.snap_streams.clear();
  n.received_image.reset();
  n.proposed.clear();
  n.downs.clear();
  stats_.reads_abandoned += n.reads.size();
  n.reads.clear();
  n.status = {};
  n.restart_at = now_ + rng_.between(200, 3000);
  ++stats_.crashes;
  for (auto& other : nodes_)
    if (other->id != n.id) break_link(n.id, other->id);
}

void cluster::restart(node& n) {
  n.up = true;
  persistent_state ps;
  ps.accepted_epoch = n.accepted;
  ps.current_epoch = n.current;
  ps.last_logged = n.log.empty() ? n.snap_zxid : n.log.back().zxid;
  const size_t keep = std::min(n.log.size(), timing_.max_diff_txns);
  ps.recent.assign(n.log.end() - static_cast<std::ptrdiff_t>(keep), n.log.end());
  // As the server's recovery: the newest reconfig in the whole log, however old.
  for (auto it = n.log.rbegin(); it != n.log.rend(); ++it)
    if (it->config) {
      ps.last_seen_config = it->config;
      break;
    }
  // Recovery applies every logged txn, committed or not, as ZooKeeper does.
  n.state = n.snap_state;
  n.state.insert(n.state.end(), n.log.begin(), n.log.end());
  n.last_appended = ps.last_logged;
  n.core = std::make_unique<peer>(n.id, n.config, timing_, std::move(ps));
  trace("start " + std::to_string(n.id) + " last_logged " + hex(n.last_appended));
  n.core->start(now_);
  carry_out(n);
}

void cluster::carry_out(node& n) {
  // Actions may cause more actions (a dropped send owes the sender on_peer_down).
  for (int round = 0; round < 100 && n.up; ++round) {
    auto actions = n.core->take_actions();
    for (auto& a : actions) {
      do_action(n, a);
      if (!n.up) return;
    }
    if (n.downs.empty()) return;
    for (auto peer_id : std::exchange(n.downs, {}))
      n.core->on_peer_down(now_, peer_id);
  }
}

void cluster::do_action(node& n, action& a) {
  if (auto* s = std::get_if<send_message>(&a)) {
    if (std::holds_alternative<sync_diff>(s->msg)) ++stats_.diffs;
    if (std::holds_alternative<sync_trunc>(s->msg)) ++stats_.truncs;
    if (std::holds_alternative<sync_snap>(s->msg)) ++stats_.snaps;
    if (opt_.trace && !std::holds_alternative<ping>(s->msg)) {
      std::string detail;
      if (auto* nt = std::get_if<notification>(&s->msg))
        detail = " vote " + std::to_string(nt->proposed.leader) + "/" + hex(nt->proposed.zxid) +
                 "/" + std::to_string(nt->proposed.peer_epoch) + " round " +
                 std::to_string(nt->election_epoch) + " " + to_string(nt->state);
      trace(std::to_string(n.id) + " -> " + std::to_string(s->to) + " " + message_name(s->msg) +
            detail);
    }
    // A SNAP's image travels on the same channel just ahead of its sync_snap (the actors
    // stream it in acked chunks and hold what follows): the core sends only the stream's name.
    std::optional<std::pair<zxid_t, std::vector<txn>>> image;
    if (auto* sn = std::get_if<sync_snap>(&s->msg)) {
      auto it = n.snap_streams.find(sn->stream);
      if (it == n.snap_streams.end() || it->second.first != sn->zxid) {
        fail("server " + std::to_string(n.id) + " sent sync_snap of " + hex(sn->zxid) +
             " naming no image it took (stream " + std::to_string(sn->stream) + ")");
        return;
      }
      image = std::move(it->second);
      n.snap_streams.erase(it);
    }
    if (!at(s->to).up || !connected(n.id, s->to)) {
      n.downs.push_back(s->to);
      return;
    }
    auto& ch = channels_[{n.id, s->to}];
    int64_t delay = rng_.chance(0.05) ? rng_.between(30, 150) : rng_.between(1, 12);
    int64_t when = std::max(now_ + delay, ch.empty() ? 0 : ch.back().at);
    ch.push_back({when, std::move(s->msg), std::move(image)});
  } else if (auto* p = std::get_if<persist_epochs>(&a)) {
    if (p->accepted_epoch < n.accepted || p->current_epoch < n.current)
      fail("server " + std::to_string(n.id) + " persisted an older epoch");
    n.accepted = p->accepted_epoch;
    n.current = p->current_epoch;
  } else if (auto* ap = std::get_if<append_log>(&a)) {
    for (auto& t : ap->txns) {
      if (t.zxid <= n.last_appended)
        fail("server " + std::to_string(n.id) + " appended " + hex(t.zxid) + " after " +
             hex(n.last_appended));
      n.last_appended = t.zxid;
      n.pending.push_back(std::move(t));
    }
    if (n.disk_done_at <= now_) n.disk_done_at = now_ + rng_.between(1, 10);
  } else if (auto* tr = std::get_if<truncate_log>(&a)) {
    n.log.insert(n.log.end(), n.pending.begin(), n.pending.end());
    n.pending.clear();
    while (!n.log.empty() && n.log.back().zxid > tr->zxid)
      n.log.pop_back();
    if (tr->zxid < n.snap_zxid) fail("TRUNC below the snapshot on server " + std::to_string(n.id));
    n.last_appended = tr->zxid;
    if (tr->reload) {
      n.state = n.snap_state;
      n.state.insert(n.state.end(), n.log.begin(), n.log.end());
    }
    trace(std::to_string(n.id) + " truncate to " + hex(tr->zxid) + (tr->reload ? " reload" : ""));
  } else if (auto* is = std::get_if<install_snapshot>(&a)) {
    if (!n.received_image || n.received_image->first != is->zxid) {
      fail("server " + std::to_string(n.id) + " installs the snapshot of " + hex(is->zxid) +
           " without having received its image");
      return;
    }
    n.pending.clear();
    n.log.clear();
    n.snap_zxid = is->zxid;
    n.snap_state = std::move(n.received_image->second);
    n.received_image.reset();
    n.state = n.snap_state;
    n.last_appended = is->zxid;
    trace(std::to_string(n.id) + " install snapshot " + hex(is->zxid));
  } else if (auto* ap2 = std::get_if<apply_txns>(&a)) {
    const bool serving_leader =
        n.core->current_role() == role::leading && n.core->serving() && n.status.serving;
    for (auto& t : ap2->txns) {
      zxid_t last = n.state.empty() ? 0 : n.state.back().zxid;
      if (t.zxid <= last)
        fail("server " + std::to_string(n.id) + " applied " + hex(t.zxid) + " after " + hex(last));
      n.state.push_back(t);
      if (serving_leader) {
        size_t i = n.state.size() - 1;
        if (i < committed_.size()) {
          if (!same(committed_[i], t))
            fail("leader " + std::to_string(n.id) + " committed " + hex(t.zxid) + " where " +
                 hex(committed_[i].zxid) + " was committed");
        } else {
          committed_.push_back(t);
        }
        auto it = n.proposed.find(t.zxid);
        if (it != n.proposed.end()) {
          if (it->second != t.payload) fail("a proposal changed its payload");
          acked_[t.zxid] = t.payload;
          ++stats_.acked;
          n.proposed.erase(it);
        }
      }
    }
    if (n.status.serving) check_serving_consistent(n);
  } else if (auto* ts = std::get_if<take_snapshot>(&a)) {
    n.snapshot_requests.emplace_back(now_ + rng_.between(1, 40), ts->learner);
  } else if (auto* ac = std::get_if<activate_config>(&a)) {
    if (ac->config.version <= n.config.version)
      fail("server " + std::to_string(n.id) + " activated config " + hex(ac->config.version) +
           " after " + hex(n.config.version));
    auto [it, added] = activated_.emplace(ac->config.version, ac->config.members);
    if (!added && it->second != ac->config.members)
      fail("config " + hex(ac->config.version) + " names different servers on server " +
           std::to_string(n.id));
    n.config = ac->config;
    if (ac->removed) ++stats_.removals;
    trace(std::to_string(n.id) + " activates config " + hex(ac->config.version) + " (" +
          std::to_string(ac->config.voter_count()) + " voters, " +
          std::to_string(ac->config.members.size()) + " servers)" +
          (ac->removed ? ", removed" : ""));
  } else if (auto* rr = std::get_if<read_index_ready>(&a)) {
    // Linearizability of reads: a confirmed index covers every txn a serving leader had
    // applied (so a client could have seen) before the read arrived; and the leader holds it.
    const zxid_t applied = n.state.empty() ? 0 : n.state.back().zxid;
    std::erase_if(n.reads, [&](const node::pending_read& r) {
      if (r.round > rr->round) return false;
      if (rr->index < r.committed_at_arrival)
        fail("leader " + std::to_string(n.id) + " confirmed read index " + hex(rr->index) +
             " for a read that arrived after " + hex(r.committed_at_arrival) + " was committed");
      if (rr->index > applied)
        fail("leader " + std::to_string(n.id) + " confirmed read index " + hex(rr->index) +
             " beyond what it applied, " + hex(applied));
      ++stats_.reads_confirmed;
      return true;
    });
  } else if (auto* st = std::get_if<status_changed>(&a)) {
    if (!st->serving || st->now != role::leading) {
      stats_.reads_abandoned += n.reads.size();
      n.reads.clear();
    }
    n.status = *st;
    if (st->serving && st->now == role::leading && !n.core->config().is_voter(n.id))
      fail("server " + std::to_string(n.id) + " leads but is no voter of its configuration " +
           hex(n.core->config().version));
    trace(std::to_string(n.id) + " is " + to_string(st->now) + " leader " +
          std::to_string(st->leader) + " epoch " + std::to_string(st->epoch) +
          (st->serving ? " serving" : ""));
    if (st->serving && st->now == role::leading) check_leader_established(n);
    if (st->serving) check_serving_consistent(n);
  }
}

void cluster::check_leader_established(node& n) {
  auto [it, added] = leader_of_epoch_.emplace(n.status.epoch, n.id);
  if (!added && it->second != n.id)
    fail("two leaders of epoch " + std::to_string(n.status.epoch) + ": " +
         std::to_string(it->second) + " and " + std::to_string(n.id));
  if (added) ++stats_.leader_changes;
  // Everything committed so far is in the new leader's state, in order...
  if (n.state.size() < committed_.size())
    fail("new leader " + std::to_string(n.id) + " lacks committed txns (" +
         std::to_string(n.state.size()) + " < " + std::to_string(committed_.size()) + ")");
  for (size_t i = 0; i < committed_.size() && i < n.state.size(); ++i)
    if (!same(n.state[i], committed_[i])) {
      fail("new leader " + std::to_string(n.id) + " disagrees with the committed history at " +
           hex(committed_[i].zxid));
      break;
    }
  // ... every acknowledged one included; and all it holds is committed from now on.
  std::set<zxid_t> have;
  for (const auto& t : n.state)
    have.insert(t.zxid);
  for (const auto& [z, p] : acked_)
    if (!have.contains(z)) {
      fail("acknowledged txn " + hex(z) + " missing on new leader " + std::to_string(n.id));
      break;
    }
  for (size_t i = committed_.size(); i < n.state.size(); ++i)
    committed_.push_back(n.state[i]);
}

void cluster::check_serving_consistent(node& n) {
  for (size_t i = 0; i < n.state.size() && i < committed_.size(); ++i)
    if (!same(n.state[i], committed_[i])) {
      fail("serving server " + std::to_string(n.id) + " holds " + hex(n.state[i].zxid) + " where " +
           hex(committed_[i].zxid) + " is committed");
      return;
    }
}

void cluster::deliver_messages() {
  for (auto& [key, ch] : channels_) {
    auto [from, to] = key;
    auto& n = at(to);
    while (!ch.empty() && ch.front().at <= now_) {
      // A paused server gets what was sent to it when it resumes, as from a socket nobody
      // read meanwhile; a crashed one loses it (its connections broke).
      if (n.up && !running(n)) break;
      auto env = std::move(ch.front());
      ch.pop_front();
      if (!n.up) break;
      if (env.image) n.received_image = std::move(env.image);
      n.core->on_message(now_, from, env.msg);
      carry_out(n);
      if (!failure_.empty()) return;
    }
  }
}

void cluster::complete_disk_writes() {
  for (auto& n : nodes_) {
    if (!running(*n) || n->pending.empty() || n->disk_done_at > now_) continue;
    zxid_t last = n->pending.back().zxid;
    n->log.insert(n->log.end(), n->pending.begin(), n->pending.end());
    n->pending.clear();
    n->core->on_logged(now_, last);
    carry_out(*n);
  }
}

void cluster::answer_snapshots() {
  for (auto& n : nodes_) {
    if (!running(*n)) continue;
    auto due = std::partition(n->snapshot_requests.begin(), n->snapshot_requests.end(),
                              [&](const auto& r) { return r.first > now_; });
    std::vector<std::pair<int64_t, server_id>> ready(due, n->snapshot_requests.end());
    n->snapshot_requests.erase(due, n->snapshot_requests.end());
    for (auto [when, learner] : ready) {
      zxid_t z = n->state.empty() ? 0 : n->state.back().zxid;
      const uint64_t stream = ++n->next_stream;
      n->snap_streams[stream] = {z, n->state};
      // An image the core does not use is released, as the server releases the store's.
      if (!n->core->on_snapshot_taken(now_, learner, z, stream)) n->snap_streams.erase(stream);
      carry_out(*n);
    }
  }
}

bool cluster::running(const node& n) const {
  return n.up && n.paused_until <= now_;
}

void cluster::tick_all() {
  if (now_ % 50 != 0) return;
  for (auto& n : nodes_) {
    if (!n->up) {
      if (n->started && now_ >= n->restart_at) restart(*n);
      continue;
    }
    if (!running(*n)) continue;
    n->core->on_tick(now_);
    carry_out(*n);
  }
}

void cluster::inject_faults() {
  auto pick = [&]() -> node& {
    return *nodes_[static_cast<size_t>(rng_.between(0, static_cast<int64_t>(nodes_.size()) - 1))];
  };
  if (rng_.chance(0.0015)) {
    auto& n = pick();
    if (n.up) crash(n);
  }
  // A leader stops for longer than syncLimit: the others elect a new leader, which commits;
  // when it resumes it still believes it leads, and a read may reach it before it notices.
  if (opt_.pauses && rng_.chance(0.0005)) {
    auto& n = pick();
    if (running(n) && n.core->current_role() == role::leading) {
      n.paused_until = now_ + rng_.between(timing_.sync_limit * timing_.tick_ms + 100, 3000);
      ++stats_.pauses;
      trace("pause " + std::to_string(n.id) + " until " + std::to_string(n.paused_until));
    }
  }
  if (opt_.reconfig) reconfigure();
  if (isolated_.empty() && rng_.chance(0.001)) {
    const auto size = rng_.between(1, static_cast<int64_t>(nodes_.size()) - 1);
    while (static_cast<int64_t>(isolated_.size()) < size)
      isolated_.insert(pick().id);
    partition_until_ = now_ + rng_.between(300, 4000);
    ++stats_.partitions;
    trace("partition: " + std::to_string(isolated_.size()) + " servers cut off");
    for (auto a : isolated_)
      for (auto& b : nodes_)
        if (!isolated_.contains(b->id)) break_link(a, b->id);
  } else if (!isolated_.empty() && now_ >= partition_until_) {
    trace("partition healed");
    isolated_.clear();
  }
  if (rng_.chance(0.002)) {
    auto& a = pick();
    auto& b = pick();
    if (a.id != b.id) {
      ++stats_.disconnects;
      trace("connection " + std::to_string(a.id) + "-" + std::to_string(b.id) + " broken");
      break_link(a.id, b.id);
    }
  }
}

void cluster::client_load() {
  if (!rng_.chance(0.4)) return;
  std::vector<node*> leaders;
  for (auto& n : nodes_)
    if (running(*n) && n->core->current_role() == role::leading && n->core->serving())
      leaders.push_back(n.get());
  if (leaders.empty()) return;
  auto& n =
      *leaders[static_cast<size_t>(rng_.between(0, static_cast<int64_t>(leaders.size()) - 1))];
  const int burst = static_cast<int>(rng_.between(1, 4));
  for (int i = 0; i < burst; ++i) {
    // Built in two steps: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
    std::string payload = "p";
    payload += std::to_string(next_payload_++);
    auto z = n.core->propose(now_, payload);
    if (!z) break;
    n.proposed[*z] = payload;
  }
  // A linearizable read now and then, to whichever server believes it leads: a deposed one
  // cut off by a partition must never confirm it.
  for (auto& m : nodes_) {
    if (!running(*m) || m->core->current_role() != role::leading || !rng_.chance(0.5)) continue;
    const zxid_t committed = committed_.empty() ? 0 : committed_.back().zxid;
    const zxid_t applied = m->state.empty() ? 0 : m->state.back().zxid;
    if (m->core->serving() && applied < committed) ++stats_.stale_plain_reads;
    if (auto round = m->core->read_index(now_)) m->reads.push_back({*round, committed});
    if (m.get() != &n) carry_out(*m);
  }
  carry_out(n);
}

void cluster::start_joiner(node& n, const ensemble& current, bool observer) {
  // A joining server's zoo.cfg names the members and itself, with no version: no leader
  // stamped it (the operator's file, as ZooKeeper's documentation has it).
  n.config = current;
  n.config.version = 0;
  n.config.members[n.id] = !observer;
  n.started = true;
  n.log.clear();
  n.snap_state.clear();
  n.snap_zxid = 0;
  n.accepted = n.current = 0;
  trace("joiner " + std::to_string(n.id) + " starts" + (observer ? " as an observer" : ""));
  restart(n);
}

// The serving leader is asked for a reconfiguration now and then, as an operator would:
// ZooKeeper's checks first (none pending, a synced quorum of the new configuration), then a
// reconfig txn.
void cluster::reconfigure() {
  if (!rng_.chance(0.002)) return;
  node* leader = nullptr;
  for (auto& n : nodes_)
    if (n->up && n->core->current_role() == role::leading && n->core->serving()) leader = n.get();
  if (!leader || leader->core->pending_config()) return;
  const ensemble& cur = leader->core->config();
  ensemble next;
  next.members = cur.members;
  const auto pick_id = [&] { return rng_.between(1, static_cast<int64_t>(nodes_.size())); };
  const auto kind = rng_.between(0, 3);
  std::string what;
  if (kind == 0) { // add a server (start it first; propose once it synced)
    const server_id id = pick_id();
    if (cur.contains(id)) return;
    const bool observer = rng_.chance(0.25);
    auto& n = at(id);
    if (!n.started) {
      start_joiner(n, cur, observer);
      return;
    }
    next.members[id] = !observer;
    what = "add " + std::to_string(id);
  } else if (kind == 1) { // remove a member
    const server_id id = pick_id();
    if (!cur.contains(id)) return;
    next.members.erase(id);
    what = "remove " + std::to_string(id);
  } else if (kind == 2) { // participant <-> observer
    const server_id id = pick_id();
    if (!cur.contains(id)) return;
    next.members[id] = !next.members[id];
    what = "re-role " + std::to_string(id);
  } else { // bulk: a new member list among the servers that run
    next.members.clear();
    for (auto& n : nodes_)
      if (n->started && rng_.chance(0.7)) next.members[n->id] = !rng_.chance(0.2);
    what = "bulk";
  }
  if (next.voter_count() == 0 || next.members == cur.members) return;
  if (!leader->core->quorum_synced(next)) return; // NewConfigNoQuorum
  std::string payload = "cfg";
  payload += std::to_string(next_payload_++);
  auto z = leader->core->propose(now_, payload, next);
  if (!z) return;
  config_of_payload_[payload] = next.members;
  ++stats_.reconfigs_proposed;
  leader->proposed[*z] = payload;
  trace("reconfig " + what + " proposed as " + hex(*z) + " (" + std::to_string(next.voter_count()) +
        " voters)");
  carry_out(*leader);
}

// Every configuration activated (but a first leader's stamp of zoo.cfg's, at counter 0) was
// a committed reconfig txn naming the same servers.
void cluster::check_configs_committed() {
  for (const auto& [version, members] : activated_) {
    if (version == 0 || counter_of(version) == 0) continue;
    auto it = std::find_if(committed_.begin(), committed_.end(),
                           [&](const txn& t) { return t.zxid == version; });
    auto made =
        it == committed_.end() ? config_of_payload_.end() : config_of_payload_.find(it->payload);
    if (made == config_of_payload_.end() || made->second != members) {
      fail("config " + hex(version) + " was activated but is no committed reconfig");
      return;
    }
    ++stats_.reconfigs_activated;
  }
}

void cluster::step() {
  deliver_messages();
  complete_disk_writes();
  answer_snapshots();
  tick_all();
}

void cluster::heal_everything() {
  isolated_.clear();
  trace("healing everything");
  for (auto& n : nodes_)
    n->paused_until = 0;
  for (auto& n : nodes_)
    if (!n->up && n->started) restart(*n);
}

void cluster::check_liveness() {
  const node* leader = nullptr;
  for (auto& n : nodes_)
    if (n->up && n->status.serving && n->status.now == role::leading) leader = n.get();
  if (!leader) {
    fail("after healing, no leader serves");
    return;
  }
  // Every member of the leader's configuration serves; a removed server, or a joiner that
  // was never added, may serve as a non-voting learner.
  const auto& final_config = leader->core->config();
  for (auto& n : nodes_) {
    if (!n->started) continue;
    if (final_config.contains(n->id) && (!n->up || !n->status.serving)) {
      fail("after healing, member " + std::to_string(n->id) + " of config " +
           hex(final_config.version) + " does not serve");
      return;
    }
    if (n->up && n->status.serving && n->core->config() != final_config) {
      fail("after healing, server " + std::to_string(n->id) + " serves with config " +
           hex(n->core->config().version) + ", the leader with " + hex(final_config.version));
      return;
    }
  }
  for (auto& n : nodes_)
    if (n->up && n->status.serving && !same(n->state, leader->state)) {
      fail("after healing, server " + std::to_string(n->id) + " holds " +
           std::to_string(n->state.size()) + " txns, the leader " +
           std::to_string(leader->state.size()));
      return;
    }
  std::set<zxid_t> have;
  for (const auto& t : leader->state)
    have.insert(t.zxid);
  for (const auto& [z, p] : acked_)
    if (!have.contains(z)) {
      fail("after healing, acknowledged txn " + hex(z) + " is gone");
      return;
    }
}

std::string cluster::run() {
  for (; now_ < opt_.fault_ms && failure_.empty(); now_ += 5) {
    inject_faults();
    client_load();
    step();
  }
  heal_everything();
  const int64_t end = now_ + opt_.heal_ms;
  for (; now_ < end && failure_.empty(); now_ += 5)
    step();
  if (failure_.empty()) check_liveness();
  if (failure_.empty()) check_configs_committed();
  return failure_;
}

} // namespace paddock::sim
