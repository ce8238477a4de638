#pragma once
// Fast leader election (ZooKeeper's FastLeaderElection) as a pure state machine: a looking
// server proposes itself, adopts any better vote it hears, and decides once a quorum of
// voters agrees with its vote and no better vote arrives within finalize_wait_ms. A server
// that already follows or leads answers a looking one with the vote it settled on, which is
// how a restarted server finds an established leader.
#include "protocol/zab/messages.hpp"
#include "protocol/zab/types.hpp"

#include <functional>
#include <map>
#include <optional>

namespace paddock::zab {

// Whether vote a beats vote b: newer epoch, then newer zxid, then higher id.
bool beats(const vote& a, const vote& b);

class election {
public:
  using send_fn = std::function<void(server_id to, const notification&)>;

  // `members` is the active configuration and `pending` a reconfig not yet committed; both
  // belong to the caller and may change between calls. While a reconfig is pending a vote
  // decides only with a quorum of each.
  election(server_id self, const ensemble& members, const std::optional<ensemble>& pending,
           const timing& t);

  // Starts a new round (looking again), voting for `self_vote`.
  void start_round(int64_t now_ms, const vote& self_vote, const send_fn& send);

  // A notification from `from`. While looking, returns the vote decided on, if any. While
  // not looking (`settled` is this server's state), answers looking senders.
  std::optional<vote> on_notification(int64_t now_ms, server_id from, const notification& n,
                                      role settled, const send_fn& send);

  // Resends while looking; returns the vote decided on when the finalize wait ends.
  std::optional<vote> on_tick(int64_t now_ms, const send_fn& send);

  // This server stopped looking (it decided, or joined an established leader).
  void settle(const vote& v) {
    decided_ = v;
    finalize_at_.reset();
  }

  int64_t round() const { return round_; }
  const vote& proposal() const { return proposal_; }

private:
  struct heard {
    vote v;
    int64_t round = 0;
    role state = role::looking;
  };
  void send_all(const send_fn& send) const;
  bool quorum_agrees(const std::map<server_id, heard>& votes, const vote& v, bool count_self,
                     bool with_pending = true) const;
  // Every voter of the active (and pending) configuration has sent us vote v this round.
  bool all_voters_agree(const vote& v) const;
  bool leader_confirmed(const std::map<server_id, heard>& votes, const vote& v,
                        int64_t round) const;
  std::optional<vote> decide(const vote& v);

  bool counts(server_id id) const; // a voter of the active or the pending configuration
  notification make(const vote& v, role state) const;

  server_id self_;
  const ensemble& members_;
  const std::optional<ensemble>& pending_;
  const timing& timing_;
  int64_t round_ = 0;
  vote self_vote_;
  vote proposal_;
  vote decided_;
  std::map<server_id, heard> received_;        // this round's votes from looking servers
  std::map<server_id, heard> out_of_election_; // votes of servers that follow or lead
  std::optional<int64_t> finalize_at_;
  int64_t resend_at_ = 0;
  int64_t resend_interval_ = 0;
};

} // namespace paddock::zab
