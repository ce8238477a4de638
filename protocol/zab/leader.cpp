// The leader's side of ZAB: discovery (gather learner_info from a quorum, choose and
// persist a new epoch, collect ack_epoch), sync of each learner (DIFF / TRUNC / SNAP, then
// new_leader), establishment on a quorum of new_leader acks, and broadcast (proposal, ack
// quorum, commit; inform to observers). Liveness: pings every half tick, learners and the
// quorum checked against initLimit / syncLimit.
#include "protocol/zab/peer_impl.hpp"

#include <algorithm>
#include <utility>

namespace paddock::zab {

namespace {
// A sync stream's proposals go in messages of at most this many txns / bytes.
constexpr size_t batch_txns = 1000;
constexpr size_t batch_bytes = 256 * 1024;
} // namespace

void peer::impl::lead(int64_t now) {
  current = role::leading;
  serving = false;
  lphase = leader_phase::gathering;
  learners.clear();
  proposal_buffer.clear();
  abandon_reads();
  new_epoch = 0;
  phase_started = now;
  next_ping = now;
  report_status();
  // A leader of one (or of a quorum of one) needs nobody else.
  choose_epoch(now);
  for (auto& [id, info] : std::exchange(early_infos, {}))
    if (current == role::leading) leader_message(now, id, info);
}

// Discovery: once a quorum of voters (this server included) has sent learner_info, the new
// epoch is one more than any of them accepted; it is persisted before anyone hears of it.
void peer::impl::choose_epoch(int64_t now) {
  if (lphase != leader_phase::gathering) return;
  if (!all_quorums([&](server_id id) { return id == self || learners.contains(id); })) return;
  int64_t highest = accepted_epoch;
  for (const auto& [id, l] : learners)
    highest = std::max(highest, l.accepted_epoch);
  new_epoch = highest + 1;
  accepted_epoch = new_epoch;
  persist();
  lphase = leader_phase::epoch_acks;
  phase_started = now;
  for (auto& [id, l] : learners) {
    send(id, leader_info{new_epoch});
    l.phase = learner_phase::epoch_sent;
  }
  start_syncs(now);
}

// Once a quorum acked the epoch: currentEpoch is persisted and every learner that acked is
// synced. Later learners are synced as their ack_epoch arrives.
void peer::impl::start_syncs(int64_t now) {
  if (lphase != leader_phase::epoch_acks) return;
  const bool quorum = all_quorums([&](server_id id) {
    if (id == self) return true;
    auto it = learners.find(id);
    return it != learners.end() && it->second.counts_for_epoch &&
           it->second.phase != learner_phase::info && it->second.phase != learner_phase::epoch_sent;
  });
  if (!quorum) return;
  current_epoch = new_epoch;
  persist();
  // zoo.cfg's configuration gets its version from the first leader, the zxid of its epoch's
  // start, as ZooKeeper stamps it; NEWLEADER then carries it to every learner. Not when a
  // reconfig is pending (ZooKeeper's Leader.lead stamps only when its last seen configuration
  // is unversioned too): the history holds a configuration newer than zoo.cfg's, which
  // commits with this leader's establishment, and a stamp would outrank it with zoo.cfg's
  // membership (a server restarted with an older zoo.cfg than its data, or a joiner's partial
  // view).
  if (members.version == 0 && !pending) {
    ensemble stamped = members;
    stamped.version = make_zxid(current_epoch, 0);
    activate(now, std::move(stamped));
    if (current != role::leading) return;
  }
  counter = 0;
  initial_end = last_logged;
  lphase = leader_phase::syncing;
  phase_started = now;
  report_status();
  for (auto& [id, l] : learners)
    if (l.phase == learner_phase::epoch_acked) sync_learner(now, id);
  check_new_leader_quorum(now);
}

// DIFF when the learner's history is a prefix of ours, TRUNC when it has txns we never had,
// SNAP when it is behind what we keep in memory, or when it asked for one (its state
// diverged from ours although its log agrees: only our whole state repairs that).
void peer::impl::sync_learner(int64_t, server_id id) {
  auto& l = learners.at(id);
  const zxid_t peer_last = l.last_zxid;
  const zxid_t end = last_logged;
  if (l.wants_snapshot) {
    l.phase = learner_phase::syncing_snapshot;
    emit(take_snapshot{id});
    return;
  }
  if (peer_last == end) {
    send(id, sync_diff{end});
    send_history_after(id, end);
    return;
  }
  if (peer_last > end) {
    send(id, sync_trunc{end});
    send_history_after(id, end);
    return;
  }
  // A learner with no history at all (new, or its data wiped) takes the state in one piece:
  // loading a snapshot is cheaper than replaying every txn ever made (ZooKeeper ends up
  // sending SNAP there too).
  if (peer_last == 0) {
    l.phase = learner_phase::syncing_snapshot;
    emit(take_snapshot{id});
    return;
  }
  const bool covered = !history.empty() && peer_last >= history.front().zxid;
  if (covered) {
    if (find(peer_last)) {
      send(id, sync_diff{end});
      send_history_after(id, peer_last);
    } else {
      // The learner has txns of an epoch we never saw after our last txn before them.
      auto it = std::lower_bound(history.begin(), history.end(), peer_last,
                                 [](const txn& x, zxid_t v) { return x.zxid < v; });
      const zxid_t to = std::prev(it)->zxid;
      send(id, sync_trunc{to});
      send_history_after(id, to);
    }
    return;
  }
  if (history_base >= 0 && peer_last == history_base) {
    send(id, sync_diff{end});
    send_history_after(id, peer_last);
    return;
  }
  l.phase = learner_phase::syncing_snapshot;
  emit(take_snapshot{id});
}

// The txns after `after`, as proposals, then commit and new_leader. A follower gets every
// txn proposed so far (later ones reach it live); an observer only the committed ones.
void peer::impl::send_history_after(server_id id, zxid_t after) {
  auto& l = learners.at(id);
  const zxid_t committed = lphase == leader_phase::established ? last_committed : last_logged;
  const zxid_t upto = l.observer ? committed : last_logged;
  auto it = std::upper_bound(history.begin(), history.end(), after,
                             [](zxid_t v, const txn& x) { return v < x.zxid; });
  std::vector<txn> batch;
  size_t bytes = 0;
  zxid_t last_sent = after;
  for (; it != history.end() && it->zxid <= upto; ++it) {
    batch.push_back(*it);
    bytes += it->payload.size();
    last_sent = it->zxid;
    if (batch.size() >= batch_txns || bytes >= batch_bytes) {
      send(id, proposal{std::move(batch)});
      batch.clear();
      bytes = 0;
    }
  }
  if (!batch.empty()) send(id, proposal{std::move(batch)});
  l.synced_to = last_sent;
  finish_sync(id, std::min(committed, last_sent));
}

void peer::impl::finish_sync(server_id id, zxid_t committed) {
  auto& l = learners.at(id);
  if (committed > 0) send(id, commit{committed});
  send(id, new_leader{current_epoch, members});
  l.phase = learner_phase::synced;
}

bool peer::impl::leader_snapshot(int64_t now, server_id id, zxid_t zxid, uint64_t stream) {
  auto it = learners.find(id);
  if (it == learners.end() || it->second.phase != learner_phase::syncing_snapshot) return false;
  if (lphase == leader_phase::gathering || lphase == leader_phase::epoch_acks) return false;
  // Everything after the snapshot must still be in memory; otherwise take another.
  if (zxid != last_logged && zxid != history_base && !find(zxid)) {
    emit(take_snapshot{id});
    return false;
  }
  (void)now;
  send(id, sync_snap{zxid, stream});
  send_history_after(id, zxid);
  return true;
}

void peer::impl::check_new_leader_quorum(int64_t now) {
  if (lphase != leader_phase::syncing) return;
  // Past initLimit the leadership is over even if the tick that ends it has not run yet: a
  // leader that was paused (or starved) that long finds its learners' old acks queued ahead
  // of its tick, while those learners gave up on it (their deadline falls before its own)
  // and may follow another leader; it would serve a state they left behind. This narrows,
  // not closes, that window: an ack inside this leader's deadline but after its learner left
  // still establishes it, as in ZooKeeper, and its plain reads are stale until syncLimit
  // ends it (linearizable reads are not).
  if (establishment_expired(now)) {
    go_looking(now);
    return;
  }
  // This server's own ack: its history up to where it took the epoch is durable.
  const bool quorum = all_quorums([&](server_id id) {
    if (id == self) return last_durable >= initial_end;
    auto it = learners.find(id);
    return it != learners.end() && it->second.acked_new_leader;
  });
  if (!quorum) return;
  lphase = leader_phase::established;
  phase_started = now;
  last_committed = std::max(last_committed, initial_end);
  apply_through(initial_end);
  // A leader that found a reconfig removing it (or making it an observer) in its history
  // never serves: it tells its learners, the reconfig activates, and it steps down.
  const bool hands_over = pending && last_committed >= pending->version && !pending->is_voter(self);
  if (!hands_over) {
    serving = true;
    report_status();
  }
  for (auto& [id, l] : learners)
    if (l.acked_new_leader && l.phase == learner_phase::synced) {
      send(id, up_to_date{committed_config()});
      l.phase = learner_phase::up_to_date;
    }
  // A reconfig in the history this leader took over is committed with it now (its learners
  // activate it at up_to_date); a leader it removes steps down after telling them.
  on_committed(now, last_committed);
  if (current != role::leading) return;
  advance_commit(now);
}

// Discovery and sync must end within initLimit, counted from the phase's start.
bool peer::impl::establishment_expired(int64_t now) const {
  return lphase != leader_phase::established && now - phase_started > t.init_limit * t.tick_ms;
}

const ensemble& peer::impl::committed_config() const {
  return pending && pending->version <= last_committed ? *pending : members;
}

size_t peer::impl::in_flight() const {
  if (current != role::leading) return 0;
  // Proposals of this epoch are numbered without gaps: counting needs no search then.
  if (epoch_of(last_committed) == current_epoch && epoch_of(last_logged) == current_epoch)
    return static_cast<size_t>(counter_of(last_logged) - counter_of(last_committed));
  auto it = std::upper_bound(history.begin(), history.end(), last_committed,
                             [](zxid_t v, const txn& x) { return v < x.zxid; });
  return static_cast<size_t>(std::distance(it, history.end()));
}

std::optional<zxid_t> peer::impl::leader_propose(int64_t, std::string payload,
                                                 std::optional<ensemble> next) {
  if (lphase != leader_phase::established) return std::nullopt;
  if (static_cast<int64_t>(in_flight()) >= t.max_in_flight) return std::nullopt;
  if (counter >= 0xffffffffLL) return std::nullopt; // the epoch is used up: a new election
  const zxid_t z = make_zxid(current_epoch, ++counter);
  txn x{z, std::move(payload), std::move(next)};
  if (x.config) x.config->version = z;
  for (auto& [id, l] : learners)
    if (!l.observer && (l.phase == learner_phase::synced || l.phase == learner_phase::up_to_date))
      proposal_buffer[id].push_back(x);
  append(std::move(x));
  return z;
}

// The commit point: the highest zxid a quorum of voters has on disk (this server's own log
// counts; a follower counts once it acked new_leader).
// The highest zxid a quorum of `c`'s voters has on disk, if it has a quorum connected.
std::optional<zxid_t> peer::impl::acked_by_quorum(const ensemble& c) const {
  std::vector<zxid_t> acked;
  for (const auto& [id, votes] : c.members) {
    if (!votes) continue;
    if (id == self) {
      acked.push_back(last_durable);
    } else if (auto it = learners.find(id); it != learners.end() && it->second.acked_new_leader) {
      acked.push_back(it->second.acked);
    }
  }
  if (acked.size() < c.quorum_size()) return std::nullopt;
  auto nth = acked.begin() + static_cast<std::ptrdiff_t>(c.quorum_size() - 1);
  std::nth_element(acked.begin(), nth, acked.end(), std::greater<>());
  return std::min(*nth, last_logged);
}

// The newest txn in the history before `zxid`, else (none in memory) the commit point: a
// commit point is always a txn's zxid, never one between txns (a read index is served once
// a server applied it, and no server applies a zxid no txn has, as (epoch, 0)).
zxid_t peer::impl::last_txn_before(zxid_t zxid) const {
  auto it = std::lower_bound(history.begin(), history.end(), zxid,
                             [](const txn& x, zxid_t v) { return x.zxid < v; });
  return it == history.begin() ? last_committed : std::prev(it)->zxid;
}

// The commit point: the highest zxid a quorum of voters has on disk (this server's own log
// counts; a follower counts once it acked new_leader). From a pending reconfig on, a quorum
// of its configuration too: everything before it commits with the active one alone.
void peer::impl::advance_commit(int64_t now) {
  if (lphase != leader_phase::established) return;
  auto point = acked_by_quorum(members);
  if (!point) return;
  if (pending && *point >= pending->version) {
    auto with_new = acked_by_quorum(*pending);
    *point = with_new && *with_new >= pending->version ? std::min(*point, *with_new)
                                                       : last_txn_before(pending->version);
  }
  if (*point <= last_committed) return;
  const zxid_t before = last_committed;
  last_committed = *point;
  for (auto& [id, l] : learners) {
    if (l.phase != learner_phase::synced && l.phase != learner_phase::up_to_date) continue;
    if (!l.observer) {
      send(id, commit{*point});
      continue;
    }
    // An observer takes the committed txns themselves.
    std::vector<txn> informed;
    auto it = std::upper_bound(history.begin(), history.end(), std::max(before, l.synced_to),
                               [](zxid_t v, const txn& x) { return v < x.zxid; });
    for (; it != history.end() && it->zxid <= *point; ++it)
      informed.push_back(*it);
    if (!informed.empty()) {
      l.synced_to = informed.back().zxid;
      send(id, inform{std::move(informed)});
    }
  }
  apply_through(*point);
  on_committed(now, *point);
}

bool peer::impl::quorum_synced(const ensemble& next) const {
  if (current != role::leading || lphase != leader_phase::established) return false;
  // Followers only: an observer acks nothing, so it cannot help the reconfig commit even
  // where the new configuration makes it a voter (ZooKeeper counts its forwarding followers).
  std::size_t synced = next.is_voter(self) ? 1 : 0;
  for (const auto& [id, l] : learners)
    if (next.is_voter(id) && !l.observer && l.acked_new_leader) ++synced;
  return synced >= next.quorum_size();
}

void peer::impl::leader_logged(int64_t now) {
  check_new_leader_quorum(now);
  advance_commit(now);
}

void peer::impl::leader_peer_down(server_id other) {
  learners.erase(other);
}

void peer::impl::leader_message(int64_t now, server_id from, const message& m) {
  if (auto* info = std::get_if<learner_info>(&m)) {
    // A learner that promised a newer epoch (to a leader that never got established) would
    // refuse ours forever: step down, so the next election picks an epoch above its.
    if (lphase != leader_phase::gathering && info->accepted_epoch > accepted_epoch) {
      go_looking(now);
      return;
    }
    // A (re)connecting learner: whatever we knew of it belongs to an old connection.
    auto& l = learners[from];
    l = learner{};
    l.serial = ++last_learner_serial;
    // The configuration decides a member's role; a server outside it (joining) is an
    // observer if it says so, else a non-voting follower: it takes proposals and acks them,
    // and its acks count once a configuration naming it as a voter is active or pending.
    l.observer = members.contains(from) ? members.is_observer(from) : info->observer;
    l.accepted_epoch = info->accepted_epoch;
    l.last_zxid = info->last_zxid;
    l.wants_snapshot = info->wants_snapshot;
    l.last_heard = now;
    if (lphase == leader_phase::gathering) {
      choose_epoch(now);
    } else {
      send(from, leader_info{new_epoch});
      l.phase = learner_phase::epoch_sent;
    }
    return;
  }
  auto it = learners.find(from);
  if (it == learners.end()) return; // not a learner of this leadership (stale)
  auto& l = it->second;
  l.last_heard = now;
  if (auto* ae = std::get_if<ack_epoch>(&m)) {
    if (l.phase != learner_phase::epoch_sent) return;
    // The election chose wrongly when a voter has a newer history than ours. Not when a
    // server that is no voter of the active configuration has: the election never weighed
    // its history (its vote for itself is not eligible), and what it has beyond ours was
    // never committed, since an active quorum, which elected us, would hold it: it is
    // truncated like any learner's. (Stepping down for it would elect this leader again,
    // round after round: simulation seed 8109, a removed server with txns nobody else logged.)
    // A voter of a pending configuration only when it knows a newer epoch: one this leader
    // missed, not stray uncommitted txns. (A server that activated a configuration newer than
    // this leader's active one has shown it in its notifications, which reach this leader
    // ahead of its ack_epoch and are adopted: it is an active voter here by then.)
    const bool newer_epoch = ae->current_epoch > current_epoch;
    const bool newer_history =
        newer_epoch || (ae->current_epoch == current_epoch && ae->last_zxid > last_logged);
    if ((members.is_voter(from) && newer_history) ||
        (pending && pending->is_voter(from) && newer_epoch)) {
      if (lphase != leader_phase::established && lphase != leader_phase::syncing) {
        go_looking(now);
        return;
      }
    }
    l.last_zxid = ae->last_zxid;
    l.phase = learner_phase::epoch_acked;
    l.counts_for_epoch = ae->current_epoch >= 0;
    if (lphase == leader_phase::epoch_acks)
      start_syncs(now);
    else if (lphase == leader_phase::syncing || lphase == leader_phase::established)
      sync_learner(now, from);
    return;
  }
  if (auto* a = std::get_if<ack>(&m)) {
    if (a->zxid == make_zxid(current_epoch, 0) && l.phase == learner_phase::synced &&
        !l.acked_new_leader) {
      l.acked_new_leader = true;
      l.acked = std::max(l.acked, l.synced_to);
      if (lphase == leader_phase::established) {
        send(from, up_to_date{committed_config()});
        l.phase = learner_phase::up_to_date;
        advance_commit(now);
      } else {
        check_new_leader_quorum(now);
      }
      return;
    }
    if (l.acked_new_leader && a->zxid > l.acked && a->zxid <= last_logged) {
      l.acked = a->zxid;
      advance_commit(now);
    }
    return;
  }
  if (auto* r = std::get_if<read_round>(&m)) read_echo(from, r->round);
  // ping: a sign of life, already noted.
}

void peer::impl::leader_tick(int64_t now) {
  const int64_t init_ms = t.init_limit * t.tick_ms;
  const int64_t sync_ms = t.sync_limit * t.tick_ms;
  if (establishment_expired(now)) {
    go_looking(now);
    return;
  }
  // Learners that went quiet are dropped; they come back through learner_info.
  for (auto it = learners.begin(); it != learners.end();) {
    const int64_t limit = it->second.acked_new_leader ? sync_ms : init_ms;
    if (now - it->second.last_heard > limit)
      it = learners.erase(it);
    else
      ++it;
  }
  if (lphase == leader_phase::established) {
    const bool alive = all_quorums([&](server_id id) {
      if (id == self) return true;
      auto it = learners.find(id);
      return it != learners.end() && it->second.acked_new_leader;
    });
    if (!alive) {
      go_looking(now);
      return;
    }
  }
  if (now >= next_ping) {
    next_ping = now + std::max<int64_t>(1, t.tick_ms / 2);
    for (const auto& [id, l] : learners)
      if (l.phase != learner_phase::info) send(id, ping{last_committed});
    resend_read_round();
  }
}

} // namespace paddock::zab
