#include "protocol/zab/election.hpp"

#include <algorithm>

namespace paddock::zab {

bool beats(const vote& a, const vote& b) {
  if (a.peer_epoch != b.peer_epoch) return a.peer_epoch > b.peer_epoch;
  if (a.zxid != b.zxid) return a.zxid > b.zxid;
  return a.leader > b.leader;
}

election::election(server_id self, const ensemble& members, const std::optional<ensemble>& pending,
                   const timing& t)
    : self_(self), members_(members), pending_(pending), timing_(t) {}

bool election::counts(server_id id) const {
  return members_.is_voter(id) || (pending_ && pending_->is_voter(id));
}

notification election::make(const vote& v, role state) const {
  return notification{v, round_, state, members_};
}

void election::send_all(const send_fn& send) const {
  const auto n = make(proposal_, role::looking);
  for (auto id : members_.voters())
    if (id != self_) send(id, n);
  if (pending_)
    for (auto id : pending_->voters())
      if (id != self_ && !members_.is_voter(id)) send(id, n);
}

void election::start_round(int64_t now_ms, const vote& self_vote, const send_fn& send) {
  ++round_;
  self_vote_ = self_vote;
  proposal_ = self_vote;
  received_.clear();
  // What followers and leaders said belongs to the election it was said in (ZooKeeper keeps
  // its outofelection set per lookForLeader): a leader's "I lead" from an earlier election,
  // with a follower that has not yet noticed that leader is gone, would elect a dead leader.
  out_of_election_.clear();
  finalize_at_.reset();
  resend_interval_ = timing_.election_resend_ms;
  resend_at_ = now_ms + resend_interval_;
  send_all(send);
  // An ensemble of one voter agrees with itself.
  if (quorum_agrees(received_, proposal_, true)) finalize_at_ = now_ms + timing_.finalize_wait_ms;
}

// Looking servers agree when their votes are equal; servers that already follow or lead
// agree when they name the same leader (their votes were settled at different moments and
// may differ in zxid and epoch; ZooKeeper's Vote.equals relaxes likewise).
bool election::quorum_agrees(const std::map<server_id, heard>& votes, const vote& v,
                             bool count_self, bool with_pending) const {
  auto agrees_in = [&](const ensemble& c) {
    size_t agree = count_self && c.is_voter(self_) ? 1 : 0;
    for (const auto& [id, h] : votes) {
      if (id == self_ || !c.is_voter(id)) continue;
      const bool same = h.state == role::looking ? h.v == v : h.v.leader == v.leader;
      if (same) ++agree;
    }
    return agree >= c.quorum_size();
  };
  // A pending reconfig may or may not commit: electing a leader must stand in both
  // configurations (ZooKeeper's hasAllQuorums). Joining a leader that says it is established
  // needs no more than the active one: its own discovery and sync counted both, and it will
  // truncate a pending reconfig it never had.
  return agrees_in(members_) && (!with_pending || !pending_ || agrees_in(*pending_));
}

bool election::all_voters_agree(const vote& v) const {
  auto all_in = [&](const ensemble& c) {
    for (const auto& [id, votes] : c.members) {
      if (!votes || id == self_) continue; // our own vote is v: the caller's proposal
      auto it = received_.find(id);
      if (it == received_.end() || it->second.state != role::looking || !(it->second.v == v))
        return false;
    }
    return true;
  };
  return all_in(members_) && (!pending_ || all_in(*pending_));
}

// A leader other than this server must itself have said it leads (ZooKeeper's checkLeader):
// a quorum's word alone could name a leader that already went away.
bool election::leader_confirmed(const std::map<server_id, heard>& votes, const vote& v,
                                int64_t round) const {
  if (v.leader == self_) return round == round_;
  auto it = votes.find(v.leader);
  return it != votes.end() && it->second.state == role::leading;
}

std::optional<vote> election::decide(const vote& v) {
  settle(v);
  return v;
}

std::optional<vote> election::on_notification(int64_t now_ms, server_id from, const notification& n,
                                              role settled, const send_fn& send) {
  if (from == self_) return std::nullopt;
  if (settled != role::looking) {
    // Settled: tell a looking server what we settled on, so it can join. Servers outside
    // the configuration too: a joining server finds its leader this way.
    if (n.state == role::looking) send(from, make(decided_, settled));
    return std::nullopt;
  }
  if (!counts(from)) {
    // An observer's or a non-member's vote never counts; it learns the leader from our
    // answer.
    if (n.state == role::looking) send(from, make(proposal_, role::looking));
    return std::nullopt;
  }
  // Only a voter of the active configuration may lead (ZooKeeper's totalOrderPredicate gives
  // a server of weight 0 no chance): a vote for anyone else is never adopted.
  // Nor is our own vote for a server that is not (this server, not yet or no longer a voter:
  // ZooKeeper's getInitId proposes nobody then): any eligible vote replaces it, or a joiner
  // that logged the reconfig adding it and a leader that must count it would each keep
  // their own vote for ever.
  const bool eligible = members_.is_voter(n.proposed.leader);
  auto better = [&](const vote& mine) {
    return eligible && (!members_.is_voter(mine.leader) || beats(n.proposed, mine));
  };
  if (n.state == role::looking) {
    // The sender is looking now: what it said earlier as a follower or leader is stale
    // (ZooKeeper keeps it; counting it can elect a leader a quorum no longer follows).
    out_of_election_.erase(from);
    if (n.election_epoch > round_) {
      round_ = n.election_epoch;
      received_.clear();
      finalize_at_.reset();
      proposal_ = better(self_vote_) ? n.proposed : self_vote_;
      send_all(send);
    } else if (n.election_epoch < round_) {
      send(from, make(proposal_, role::looking));
      return std::nullopt;
    } else if (better(proposal_)) {
      proposal_ = n.proposed;
      finalize_at_.reset();
      send_all(send);
    }
    received_[from] = {n.proposed, n.election_epoch, n.state};
    if (!finalize_at_ && quorum_agrees(received_, proposal_, true))
      finalize_at_ = now_ms + timing_.finalize_wait_ms;
    // The wait is for a better vote still on its way; once every voter has voted for this
    // one, none can come. Deciding now spares an election with every server up (a leader
    // that a reconfig removed hands over this way) the whole finalize wait.
    if (finalize_at_ && all_voters_agree(proposal_) &&
        (members_.is_voter(self_) || proposal_.leader != self_))
      return decide(proposal_);
    return std::nullopt;
  }
  // The sender follows or leads: an established ensemble may already exist.
  if (n.election_epoch == round_) {
    received_[from] = {n.proposed, n.election_epoch, n.state};
    if (quorum_agrees(received_, n.proposed, n.proposed == proposal_, false) &&
        leader_confirmed(received_, n.proposed, n.election_epoch))
      return decide(n.proposed);
  }
  out_of_election_[from] = {n.proposed, n.election_epoch, n.state};
  if (quorum_agrees(out_of_election_, n.proposed, false, false) &&
      leader_confirmed(out_of_election_, n.proposed, n.election_epoch)) {
    round_ = n.election_epoch;
    return decide(n.proposed);
  }
  return std::nullopt;
}

std::optional<vote> election::on_tick(int64_t now_ms, const send_fn& send) {
  if (finalize_at_ && now_ms >= *finalize_at_) {
    // No better vote came during the wait. An observer never decides for itself: it
    // waits to hear who leads.
    if (members_.is_voter(self_) || proposal_.leader != self_) return decide(proposal_);
    finalize_at_.reset();
  }
  if (now_ms >= resend_at_) {
    send_all(send);
    resend_interval_ = std::min(resend_interval_ * 2, timing_.election_resend_max_ms);
    resend_at_ = now_ms + resend_interval_;
  }
  return std::nullopt;
}

} // namespace paddock::zab
