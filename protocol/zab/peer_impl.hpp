#pragma once
// The inside of zab::peer, shared by peer.cpp (events, role changes, history), leader.cpp
// and learner.cpp. Not part of the interface.
#include "protocol/zab/election.hpp"
#include "protocol/zab/peer.hpp"
#include "protocol/zab/read_batches.hpp"

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace paddock::zab {

struct peer::impl {
  impl(server_id self, ensemble members, timing t, persistent_state state);

  // --- fixed ---
  server_id self;
  timing t;

  // --- configuration ---
  ensemble members;                // the active configuration
  std::optional<ensemble> pending; // a reconfig in the history, not yet committed
  // The role this server takes while it is not in the active configuration (a joining
  // server): as zoo.cfg named it, else participant (a non-voting follower).
  bool self_observer = false;

  // --- persisted (what persist_epochs last wrote) ---
  int64_t accepted_epoch = 0;
  int64_t current_epoch = 0;

  // --- history: txns this server logged (or handed to append_log), newest last ---
  std::deque<txn> history;
  zxid_t history_base = -1; // the zxid just before history.front() when known, else -1
  zxid_t last_logged = 0;   // the newest txn handed to append_log
  zxid_t last_durable = 0;  // the newest txn on stable storage (on_logged)
  zxid_t last_committed = 0;
  zxid_t last_applied = 0;

  // --- role ---
  role current = role::looking;
  server_id leader_id = no_server;
  bool serving = false;
  status_changed reported; // what the caller was last told
  election elect;

  // --- leader ---
  enum class learner_phase { info, epoch_sent, epoch_acked, syncing_snapshot, synced, up_to_date };
  struct learner {
    bool observer = false;
    learner_phase phase = learner_phase::info;
    int64_t accepted_epoch = 0;
    zxid_t last_zxid = 0; // from ack_epoch
    zxid_t synced_to = 0; // the last txn sent in its sync stream
    zxid_t acked = 0;     // cumulative ack (counts once it acked new_leader)
    bool acked_new_leader = false;
    bool counts_for_epoch = false; // its ack_epoch was a first ack of this epoch
    bool wants_snapshot = false;   // its learner_info asked for a SNAP
    int64_t last_heard = 0;
    uint64_t serial = 0; // which of its connections this is (see commit_stream)
  };
  enum class leader_phase { gathering, epoch_acks, syncing, established };
  leader_phase lphase = leader_phase::gathering;
  std::map<server_id, learner> learners;
  uint64_t last_learner_serial = 0; // never reused, across leaderships too
  int64_t new_epoch = 0;
  int64_t phase_started = 0;
  int64_t counter = 0;    // of the last zxid stamped in this epoch
  zxid_t initial_end = 0; // the leader's history end when it took the epoch
  int64_t next_ping = 0;
  std::map<server_id, std::vector<txn>> proposal_buffer; // proposals not yet sent, by learner
  // Linearizable reads (read_index.cpp): the rounds, and the one in flight: its read index
  // (the commit point when it started) and the voters that echoed it.
  read_batches read_rounds;
  zxid_t read_round_index = 0;
  std::set<server_id> read_round_echoes;
  // learner_info that arrived while this server was still looking: a learner that decided
  // a moment earlier than its leader sends it only once.
  std::map<server_id, learner_info> early_infos;

  // --- learner ---
  enum class follow_phase { connecting, epoch_acked, syncing, new_leader_acked, up_to_date };
  follow_phase fphase = follow_phase::connecting;
  int64_t follow_started = 0;
  int64_t leader_last_heard = 0;
  std::optional<int64_t> pending_new_leader; // epoch of a new_leader waiting for durability
  zxid_t last_acked = 0;
  // The highest commit this leader has sent us. (last_committed is no proof of a commit: at
  // a start it is wherever the log ends, committed or not.)
  zxid_t leader_commit = 0;
  // resync_by_snapshot() was called: the next learner_info asks for a SNAP, until one comes.
  bool snapshot_wanted = false;

  // --- output ---
  std::vector<action> out;
  std::vector<txn> append_buffer; // merged into one append_log

  // peer.cpp
  void emit(action a);
  void send(server_id to, message m);
  void flush_appends();
  void flush_proposals(server_id to);
  void flush_all();
  void report_status();
  void go_looking(int64_t now);
  void decided(int64_t now, const vote& v);
  vote self_vote() const { return {self, last_logged, current_epoch}; }
  election::send_fn notifier();
  void append(txn t);
  void apply_through(zxid_t z); // applies logged txns (last_applied, z]
  void persist();
  void trim_history();
  const txn* find(zxid_t z) const;

  // reconfig.cpp
  // Whether `holds(id)` is true for a quorum of the active configuration's voters and, while
  // a reconfig is pending, of its voters too (ZooKeeper's hasAllQuorums).
  template <class Pred> bool all_quorums(Pred holds) const {
    auto quorum_in = [&](const ensemble& c) {
      std::size_t n = 0;
      for (const auto& [id, votes] : c.members)
        if (votes && holds(id)) ++n;
      return n >= c.quorum_size();
    };
    return quorum_in(members) && (!pending || quorum_in(*pending));
  }
  role learner_role() const; // following or observing, by the active configuration
  void find_pending();
  // The configuration committed as of last_committed: the pending one once its txn is.
  const ensemble&
  committed_config() const; // the newest reconfig in the history after the active one
  void on_committed(int64_t now, zxid_t point);   // activates a pending reconfig it covers
  bool adopt(int64_t now, const ensemble& newer); // a committed configuration heard from a peer
  void activate(int64_t now, ensemble next);

  // leader.cpp
  void lead(int64_t now);
  void leader_message(int64_t now, server_id from, const message& m);
  void leader_tick(int64_t now);
  void leader_logged(int64_t now);
  // Whether the image went to the learner (a sync_snap naming `stream` was sent).
  bool leader_snapshot(int64_t now, server_id learner, zxid_t zxid, uint64_t stream);
  void leader_peer_down(server_id other);
  std::optional<zxid_t> leader_propose(int64_t now, std::string payload,
                                       std::optional<ensemble> next);
  bool quorum_synced(const ensemble& next) const;
  void choose_epoch(int64_t now);
  void start_syncs(int64_t now);
  void sync_learner(int64_t now, server_id id);
  void send_history_after(server_id id, zxid_t after);
  void finish_sync(server_id id, zxid_t committed);
  void check_new_leader_quorum(int64_t now);
  bool establishment_expired(int64_t now) const;
  zxid_t last_txn_before(zxid_t zxid) const;
  void advance_commit(int64_t now);
  std::optional<zxid_t> acked_by_quorum(const ensemble& c) const;
  size_t in_flight() const;

  // read_index.cpp
  std::optional<uint64_t> leader_read_index(int64_t now);
  void start_read_round(uint64_t round);
  void read_echo(server_id from, uint64_t round);
  void check_read_round();
  void resend_read_round(); // to the followers that have not echoed the round in flight
  void abandon_reads();
  uint64_t read_round_in_flight() const; // 0: none

  // learner.cpp
  void follow(int64_t now);
  void learner_message(int64_t now, server_id from, const message& m);
  void learner_tick(int64_t now);
  void learner_logged(int64_t now);
  void complete_new_leader();
};

} // namespace paddock::zab
