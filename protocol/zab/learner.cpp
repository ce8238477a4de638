// The learner's side of ZAB (a follower, or an observer that never acks): join the leader
// (learner_info), accept its epoch (persisted before ack_epoch), take the sync stream (DIFF /
// TRUNC / SNAP, then proposals and commit), ack new_leader once everything before it is
// durable and currentEpoch is persisted, serve after up_to_date; then log and ack
// proposals and apply commits in order.
#include "protocol/zab/peer_impl.hpp"

#include <algorithm>

namespace paddock::zab {

void peer::impl::follow(int64_t now) {
  early_infos.clear();
  current = learner_role();
  serving = false;
  fphase = follow_phase::connecting;
  follow_started = now;
  leader_last_heard = now;
  pending_new_leader.reset();
  last_acked = 0;
  leader_commit = 0;
  report_status();
  send(leader_id,
       learner_info{accepted_epoch, last_logged, current == role::observing, snapshot_wanted});
}

void peer::impl::complete_new_leader() {
  if (!pending_new_leader || last_durable < last_logged) return;
  current_epoch = *pending_new_leader;
  pending_new_leader.reset();
  persist();
  send(leader_id, ack{make_zxid(current_epoch, 0)});
  last_acked = last_durable;
  fphase = follow_phase::new_leader_acked;
  report_status();
}

void peer::impl::learner_message(int64_t now, server_id from, const message& m) {
  if (from != leader_id) return;
  leader_last_heard = now;
  if (auto* li = std::get_if<leader_info>(&m)) {
    if (fphase != follow_phase::connecting) return;
    if (li->new_epoch < accepted_epoch) {
      // This leader is behind an epoch we already promised to: not ours to follow.
      go_looking(now);
      return;
    }
    if (li->new_epoch > accepted_epoch) {
      accepted_epoch = li->new_epoch;
      persist();
      send(leader_id, ack_epoch{current_epoch, last_logged});
    } else {
      // We already acked this epoch (to this leader before a reconnect, or to another
      // server proposing the same number): never twice, or two leaders could each count us
      // for the same epoch. -1 says "no ack, but here is where my history ends" (ZooKeeper).
      send(leader_id, ack_epoch{-1, last_logged});
    }
    fphase = follow_phase::epoch_acked;
    return;
  }
  if (fphase == follow_phase::connecting) return; // stale: from before our learner_info
  if (std::get_if<sync_diff>(&m)) {
    if (fphase != follow_phase::epoch_acked) return;
    // Our whole log is part of the leader's history: what we logged is committed with it.
    apply_through(last_logged);
    fphase = follow_phase::syncing;
    return;
  }
  if (auto* tr = std::get_if<sync_trunc>(&m)) {
    if (fphase != follow_phase::epoch_acked) return;
    const bool reload = last_applied > tr->zxid;
    emit(truncate_log{tr->zxid, reload});
    while (!history.empty() && history.back().zxid > tr->zxid)
      history.pop_back();
    last_logged = std::min(last_logged, tr->zxid);
    find_pending(); // a reconfig among the dropped txns never was
    last_durable = std::min(last_durable, tr->zxid);
    if (reload) {
      last_applied = tr->zxid;
      last_committed = std::min(last_committed, tr->zxid);
    } else {
      apply_through(tr->zxid);
    }
    fphase = follow_phase::syncing;
    return;
  }
  if (auto* sn = std::get_if<sync_snap>(&m)) {
    if (fphase != follow_phase::epoch_acked) return;
    emit(install_snapshot{sn->zxid});
    snapshot_wanted = false; // the leader's state replaces ours whole
    history.clear();
    pending.reset(); // what the snapshot holds is committed; new_leader brings its config
    history_base = sn->zxid;
    last_logged = last_durable = last_applied = last_committed = sn->zxid;
    fphase = follow_phase::syncing;
    return;
  }
  if (fphase == follow_phase::epoch_acked) return; // a stream before its sync message: stale
  if (auto* p = std::get_if<proposal>(&m)) {
    if (current == role::observing && fphase == follow_phase::up_to_date) return;
    for (const auto& x : p->txns)
      if (x.zxid > last_logged) append(x);
    return;
  }
  if (auto* c = std::get_if<commit>(&m)) {
    last_committed = std::max(last_committed, std::min(c->zxid, last_logged));
    leader_commit = std::max(leader_commit, std::min(c->zxid, last_logged));
    apply_through(last_committed);
    // During the sync a commit may run ahead of the leader's own (it commits its history
    // once established): a reconfig activates only on commits of an established leader.
    if (fphase == follow_phase::up_to_date) on_committed(now, leader_commit);
    return;
  }
  if (auto* in = std::get_if<inform>(&m)) {
    for (const auto& x : in->txns)
      if (x.zxid > last_logged) append(x);
    if (!in->txns.empty()) {
      last_committed = std::max(last_committed, std::min(in->txns.back().zxid, last_logged));
      leader_commit = std::max(leader_commit, std::min(in->txns.back().zxid, last_logged));
      apply_through(last_committed);
      if (fphase == follow_phase::up_to_date) on_committed(now, leader_commit);
    }
    return;
  }
  if (auto* nl = std::get_if<new_leader>(&m)) {
    if (fphase != follow_phase::syncing) return;
    // The leader's active configuration is committed: a learner that missed it (synced by
    // SNAP, or down during a reconfig) takes it now. It may make this server an observer or a
    // participant: then it joins again in its new role (removed, it goes on as a non-voting
    // learner).
    const role before = current;
    adopt(now, nl->config);
    if (current != before) return;
    pending_new_leader = nl->epoch;
    complete_new_leader();
    return;
  }
  if (auto* utd = std::get_if<up_to_date>(&m)) {
    if (fphase != follow_phase::new_leader_acked) return;
    fphase = follow_phase::up_to_date;
    // The leader is established: everything it committed in the sync is committed, and so
    // is its configuration (one a SNAP hid from this server is taken whole).
    const role before = current;
    on_committed(now, leader_commit);
    if (current != before) return;
    adopt(now, utd->config);
    if (current != before) return;
    serving = true;
    report_status();
    return;
  }
  if (std::get_if<ping>(&m)) {
    send(leader_id, ping{last_committed});
    return;
  }
  if (auto* r = std::get_if<read_round>(&m)) {
    // The echo says: this server still follows this leader, now.
    send(leader_id, read_round{r->round});
    return;
  }
}

void peer::impl::learner_logged(int64_t) {
  complete_new_leader();
  if (current != role::following) return; // observers never ack
  if (fphase != follow_phase::new_leader_acked && fphase != follow_phase::up_to_date) return;
  if (last_durable > last_acked) {
    last_acked = last_durable;
    send(leader_id, ack{last_durable});
  }
}

void peer::impl::learner_tick(int64_t now) {
  const int64_t init_ms = t.init_limit * t.tick_ms;
  const int64_t sync_ms = t.sync_limit * t.tick_ms;
  if (fphase != follow_phase::up_to_date && now - follow_started > init_ms) {
    go_looking(now);
    return;
  }
  if (fphase == follow_phase::up_to_date && now - leader_last_heard > sync_ms) go_looking(now);
}

} // namespace paddock::zab
