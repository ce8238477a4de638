// Reconfiguration inside the ZAB core (ZooKeeper 3.5+'s dynamic reconfiguration, and the
// algorithm of Shraer et al., "Dynamic Reconfiguration of Primary/Backup Clusters"):
// - a reconfig txn carries its configuration; from the moment it is in a server's history
//   until it commits it is `pending`, and every quorum that server counts must be a quorum
//   of the active configuration and of the pending one (all_quorums): any quorum that could
//   decide without the reconfig intersects any quorum that could decide with it;
// - it activates when it commits: on the leader when a quorum of both acked it (or when a
//   leader that found it in its history is established), on a learner at a commit of an
//   established leader, never earlier (a learner that activated a reconfig its next leader
//   truncates would count quorums in a configuration that never was);
// - a configuration is also adopted whole when a peer shows a newer committed one (a
//   notification, NEWLEADER): that is how a server that missed a reconfig catches up.
#include "protocol/zab/peer_impl.hpp"

namespace paddock::zab {

role peer::impl::learner_role() const {
  if (members.is_observer(self)) return role::observing;
  if (members.is_voter(self)) return role::following;
  return self_observer ? role::observing : role::following; // not (yet) a member
}

// The newest reconfig after the active configuration in the history in memory; else one
// from before that history (known from recovery: persistent_state::last_seen_config, from the
// log or the snapshot), as long as the log still reaches it (a TRUNC below it drops it).
void peer::impl::find_pending() {
  for (auto it = history.rbegin(); it != history.rend() && it->zxid > members.version; ++it)
    if (it->config) {
      pending = it->config;
      return;
    }
  const zxid_t history_start = history.empty() ? last_logged + 1 : history.front().zxid;
  const bool older_one_still_logged = pending && pending->version > members.version &&
                                      pending->version < history_start &&
                                      pending->version <= last_logged;
  if (!older_one_still_logged) pending.reset();
}

void peer::impl::on_committed(int64_t now, zxid_t point) {
  if (!pending || point < pending->version) return;
  ensemble next = std::move(*pending);
  pending.reset();
  activate(now, std::move(next));
}

bool peer::impl::adopt(int64_t now, const ensemble& newer) {
  if (newer.version <= members.version) return false;
  if (pending && pending->version <= newer.version) pending.reset();
  activate(now, newer);
  return true;
}

void peer::impl::activate(int64_t now, ensemble next) {
  // Removed: it was a member of a configuration some leader stamped, and the new one does not
  // name it. (A joining server's own zoo.cfg, never stamped, does not make it a member.)
  const bool was_member = members.version > 0 && members.contains(self);
  members = std::move(next);
  if (pending && pending->version <= members.version) pending.reset();
  if (members.contains(self)) self_observer = members.is_observer(self);
  // A server the new configuration no longer names goes on as ZooKeeper 3.8's do: a
  // follower (or observer) stays with its leader as a non-voting learner, still serving its
  // clients; a leader hands over (below) and follows the next leader the same way. Only its
  // vote is gone; a later configuration may add it back.
  const bool now_removed = was_member && !members.contains(self);
  emit(activate_config{members, now_removed});
  switch (current) {
  case role::looking:
    // Count again with the new configuration: it may already agree (a single voter left).
    go_looking(now);
    return;
  case role::leading: {
    // A leader the configuration no longer names as a voter hands over: the voters elect a
    // new leader among themselves (one election; its followers see the same commit).
    if (!members.is_voter(self)) {
      go_looking(now);
      return;
    }
    // Learners whose role changed join again in it. Removed ones stay, as non-voting
    // learners: their acks no longer count.
    for (auto it = learners.begin(); it != learners.end();) {
      const server_id id = it->first;
      const bool observes = members.contains(id) ? members.is_observer(id) : it->second.observer;
      if (observes != it->second.observer)
        it = learners.erase(it);
      else
        ++it;
    }
    // A quorum of the new configuration may be missing now (its servers must be synced for
    // the reconfig to be proposed, but may have gone since): the tick notices.
    return;
  }
  case role::following:
  case role::observing:
    // Our leader left the voters, or our own role changed: find the leader again.
    if (!members.is_voter(leader_id) || learner_role() != current) go_looking(now);
    return;
  }
}

} // namespace paddock::zab
