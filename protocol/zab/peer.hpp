#pragma once
// One ZAB server as a pure state machine: fast leader election, then discovery, sync and
// broadcast as leader, follower or observer. Events go in (messages, ticks, log writes done);
// actions come out (take_actions). Deterministic: the same events in the same order give the
// same actions. No sockets, clocks or threads; the CAF actors in actors/ and the simulation
// in tests/sim/ drive it.
//
// Phases (ZooKeeper 3.8's, see docs/replication.md):
//   looking   -> election (election.hpp) until a quorum agrees on a leader
//   leading   -> discovery: learner_info from a quorum, leader_info{new epoch}, ack_epoch
//             -> sync each learner: DIFF / TRUNC / SNAP, then new_leader; a quorum of acks
//                of new_leader -> up_to_date, serve; broadcast proposal / ack / commit
//   following -> learner_info, ack_epoch, take the sync stream, ack new_leader, up_to_date,
//                then log + ack proposals and apply commits
//   observing -> as following, but takes inform (committed txns) and never votes or acks
// Any timeout (init_limit during discovery and sync, sync_limit afterwards) or a lost
// connection to the leader (or, for the leader, to a quorum) goes back to looking.
//
// Reconfiguration (ZooKeeper 3.5+'s): a reconfig is a txn carrying its configuration. While
// it is pending (logged, not committed) every quorum -- election, discovery, NEWLEADER, the
// commit of it and of every txn after it -- must be a quorum of the active configuration and
// of the new one. It activates when it commits (activate_config). A server that is not in
// the active configuration follows as a non-voting learner (a joining server, before the
// txn adding it commits), and so does one that was a member and is removed: it no longer
// votes, and keeps serving its clients (ZooKeeper 3.8's non-voting follower).
#include "protocol/zab/actions.hpp"
#include "protocol/zab/messages.hpp"
#include "protocol/zab/types.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace paddock::zab {

class peer {
public:
  // `state` is what this server has on disk; its state machine holds every txn up to
  // state.last_logged applied.
  peer(server_id self, ensemble members, timing t, persistent_state state);
  ~peer();
  peer(peer&&) noexcept;
  peer& operator=(peer&&) noexcept;

  // Starts looking for a leader. Call once, first.
  void start(int64_t now_ms);

  // A message from another server.
  void on_message(int64_t now_ms, server_id from, const message& m);

  // The connection to `other` broke: messages to and from it in flight are lost.
  void on_peer_down(int64_t now_ms, server_id other);

  // Time passes: call at least every tick_ms / 4 (the actors call it every 50 ms).
  void on_tick(int64_t now_ms);

  // Every txn appended up to `zxid` is on stable storage.
  void on_logged(int64_t now_ms, zxid_t zxid);

  // Answer to take_snapshot: the image of every txn up to `zxid` is ready for `learner` as
  // the transport's `stream`. Returns whether the core uses it (a sync_snap naming `stream`
  // is among the next actions); when not (the learner left, or the history after `zxid` is no
  // longer in memory and another image is asked for), the caller releases the image.
  [[nodiscard]] bool on_snapshot_taken(int64_t now_ms, server_id learner, zxid_t zxid,
                                       uint64_t stream);

  // Leader, serving: stamps `payload` with the next zxid, logs it and proposes it. Returns the
  // zxid, or nothing when this server cannot take a write now (not a serving leader, or
  // max_in_flight proposals wait for a quorum): the caller fails or holds the write.
  // With `next`, the txn is a reconfig to that configuration (its version becomes the zxid);
  // the caller checked first that none is pending and that quorum_synced(next) holds.
  std::optional<zxid_t> propose(int64_t now_ms, std::string payload,
                                std::optional<ensemble> next = std::nullopt);

  // Whether propose() would take a write now (a reconfig: `reconfig`), so that a caller can
  // hand it its payload without keeping a copy.
  bool can_propose(bool reconfig = false) const;

  // Leader: whether a quorum of `next`'s voters is connected and synced with this leader now
  // (ZooKeeper's isQuorumSynced; a reconfig without one is NewConfigNoQuorum).
  bool quorum_synced(const ensemble& next) const;

  // Leader: whether it streams its commits to `learner` now (the learner is synced and was
  // not dropped), and if so which connection of that learner the stream belongs to: a new
  // number each time the learner joins again. A learner's sync may be answered only on this
  // stream, after the commits before it (ZooKeeper's leader queues the SYNC answer behind
  // them); a learner dropped for silence gets neither, and goes back to election once it
  // notices the leader's silence.
  std::optional<uint64_t> commit_stream(server_id learner) const;

  // Learner: its state machine diverged from the leader's (the caller compared a digest of
  // it with the leader's and they disagree). It leaves its leader (looking again) and, the
  // next time it joins one, asks for a SNAP, whatever its log holds: a DIFF would keep the
  // divergence. The request stands until a SNAP comes. Nothing happens on a leader.
  void resync_by_snapshot(int64_t now_ms);

  // Leader, serving: a linearizable read arrived (this server's client's, or a learner's
  // request for a read index). Returns the read round that confirms it: reads that arrive
  // together share one round, which starts now or when the round in flight ends. When it is
  // confirmed by a quorum of voters the core emits read_index_ready{round, index}. Nothing
  // when this server cannot confirm reads (not a serving leader): the caller refuses the read
  // or drops it with its connection. Rounds not confirmed when the leader leaves its role are
  // abandoned (status_changed tells the caller to drop what waits for them).
  std::optional<uint64_t> read_index(int64_t now_ms);

  // The actions produced since the last call, in order.
  std::vector<action> take_actions();

  role current_role() const;
  server_id leader() const;   // no_server while looking
  int64_t epoch() const;      // current epoch (the one whose leader this server follows)
  bool serving() const;       // may serve clients: leader established, or learner up to date
  zxid_t last_logged() const; // durable or handed to append_log
  zxid_t last_committed() const;
  zxid_t last_applied() const;
  int64_t accepted_epoch() const;
  int64_t election_round() const;
  std::size_t in_flight() const;  // leader: proposals stamped and not yet committed
  const ensemble& config() const; // the active configuration

  // Leader: its learners as ZooKeeper's leader gauges count them (all zero otherwise).
  struct learner_counts {
    std::size_t learners = 0;                    // connected, in any phase
    std::size_t synced_followers = 0;            // followers synced (voting or not)
    std::size_t synced_non_voting_followers = 0; // of those, outside the voting view
    std::size_t synced_observers = 0;
  };
  learner_counts leader_learner_counts() const;
  // A reconfig logged and not yet committed (then a new one is ReconfigInProgress).
  const std::optional<ensemble>& pending_config() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace paddock::zab
