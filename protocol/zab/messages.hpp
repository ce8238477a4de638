#pragma once
// The messages ZAB servers exchange, as values. ZooKeeper's packet names are given for each;
// the facts (which phase sends what, what an ack means) follow ZooKeeper 3.8's Leader,
// Learner, LearnerHandler and FastLeaderElection. The sender is not part of a message: the
// transport tells the receiver who sent it. Between two servers messages arrive in the order
// sent, or not at all once their connection broke (then the core is told with on_peer_down
// before anything sent later on a new connection arrives).
#include "protocol/zab/types.hpp"

#include <string>
#include <variant>
#include <vector>

namespace paddock::zab {

// --- Fast leader election (election port) ---------------------------------------------------

// A vote for a leader. Votes are ordered by (peer_epoch, zxid, leader): the server with the
// newest history wins, ties going to the higher id (FastLeaderElection.totalOrderPredicate).
struct vote {
  server_id leader = 0;
  zxid_t zxid = 0;        // the candidate's last logged zxid
  int64_t peer_epoch = 0; // the candidate's current epoch
  friend bool operator==(const vote&, const vote&) = default;
};

// Notification: the sender's current vote, its election round and its state. A server that
// already follows or leads answers a looking one with the vote it settled on. It also carries
// the sender's active configuration: a server that was down during a reconfig learns the
// committed configuration from it (ZooKeeper's notifications carry theirs too).
struct notification {
  vote proposed;
  int64_t election_epoch = 0; // the sender's logical clock (election round)
  role state = role::looking;
  ensemble config;
};

// --- Discovery (quorum port) ----------------------------------------------------------------

// FOLLOWERINFO / OBSERVERINFO: a learner asks to join; `accepted_epoch` lets the leader pick
// an epoch greater than any the quorum has accepted.
struct learner_info {
  int64_t accepted_epoch = 0;
  zxid_t last_zxid = 0;
  bool observer = false;
  // The learner's state diverged from its leader's (its tree digest disagreed): sync it by
  // SNAP whatever its log holds; a DIFF would keep the divergence. Paddock's own.
  bool wants_snapshot = false;
};

// LEADERINFO: the new epoch the leader proposes.
struct leader_info {
  int64_t new_epoch = 0;
};

// ACKEPOCH: the learner accepted `new_epoch` (and persisted it); it reports where its history
// ends so the leader can choose how to sync it. current_epoch = -1: the learner had already
// accepted that epoch number (acked it once): no ack for the epoch quorum, only its position.
struct ack_epoch {
  int64_t current_epoch = 0;
  zxid_t last_zxid = 0;
};

// --- Synchronization ------------------------------------------------------------------------

// DIFF: the learner's history is a prefix of the leader's; the txns after it follow as
// proposal + commit messages.
struct sync_diff {
  zxid_t last_zxid = 0; // the leader's last zxid at the time (informational)
};

// TRUNC: the learner holds txns after `zxid` the leader never had: it drops them; the
// missing txns then follow as in DIFF.
struct sync_trunc {
  zxid_t zxid = 0;
};

// SNAP: the learner is too far behind: it replaces its whole state by the image holding every
// txn up to `zxid`; later txns follow as proposal + commit messages. The image itself is not
// in the message: `stream` names the image the leader's store fixed (take_snapshot), and the
// transport streams it to the learner, delivering the sync_snap only once the whole image is
// on the learner's side, and every later message to that learner after it (the order of the
// sync is unchanged: the image at `zxid`, the txns after it, new_leader).
struct sync_snap {
  zxid_t zxid = 0;
  uint64_t stream = 0;
};

// NEWLEADER: end of the sync stream. The learner acks it (ack{make_zxid(epoch, 0)}) once
// everything before it is on its disk and it has persisted currentEpoch = epoch. `config` is
// the leader's active configuration, which the learner adopts when it is newer than its own
// (a learner synced by SNAP, or one that missed a reconfig, learns it here).
struct new_leader {
  int64_t epoch = 0;
  ensemble config;
};

// UPTODATE: a quorum acked NEWLEADER: the learner may serve clients. `config`: the
// configuration committed now. A reconfig the leader found in its history commits with its
// establishment; a learner synced by SNAP never saw that txn's configuration, and learns it
// here (ZooKeeper's learners take NEWLEADER's last seen configuration at UPTODATE).
struct up_to_date {
  ensemble config;
};

// --- Broadcast ------------------------------------------------------------------------------

// PROPOSAL, batched: txns in zxid order, each following the one before.
struct proposal {
  std::vector<txn> txns;
};

// ACK, cumulative: the sender has every txn up to `zxid` on disk. Also acks NEWLEADER when
// zxid is the new epoch's zxid (counter 0).
struct ack {
  zxid_t zxid = 0;
};

// COMMIT, cumulative: every txn up to `zxid` is committed.
struct commit {
  zxid_t zxid = 0;
};

// INFORM, batched: committed txns for an observer, which never acks them.
struct inform {
  std::vector<txn> txns;
};

// PING both ways: the leader sends one every half tick to each learner; the learner answers.
// Any message counts as a sign of life; ping only keeps a quiet link alive.
struct ping {
  zxid_t last_committed = 0; // the leader's commit point (informational)
};

// READ ROUND both ways (Paddock's own; ZooKeeper has no such packet): a round of
// linearizable reads (paddock.linearizableReads). The leader sends read_round{n} to its
// followers when round n starts (and again every half tick to those that have not echoed
// it); a follower answers with the same message. A quorum of echoes proves that no other
// leader could have committed anything when the round started (see read_index.cpp). A type
// of its own rather than a field of ping: with the switch off the wire is as before.
struct read_round {
  uint64_t round = 0;
};

using message = std::variant<notification, learner_info, leader_info, ack_epoch, sync_diff,
                             sync_trunc, sync_snap, new_leader, up_to_date, proposal, ack, commit,
                             inform, ping, read_round>;

// Which port a message travels on: election messages go to the election endpoint, the rest
// to the quorum endpoint.
inline bool is_election_message(const message& m) {
  return std::holds_alternative<notification>(m);
}

const char* message_name(const message& m); // "notification", "proposal", ...

} // namespace paddock::zab
