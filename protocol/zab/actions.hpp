#pragma once
// What a ZAB core asks its caller to do. The caller carries actions out in the order given;
// a later action may rely on an earlier one being done (persist before send).
#include "protocol/zab/messages.hpp"

#include <string>
#include <variant>
#include <vector>

namespace paddock::zab {

// Send a message to a peer. Best effort: it may be lost if the connection breaks (the core
// is then told with on_peer_down).
struct send_message {
  server_id to = 0;
  message msg;
};

// Write both epochs to stable storage (write + fsync) before carrying out any later action
// or feeding the core another event. Emitted rarely (once per election at most).
struct persist_epochs {
  int64_t accepted_epoch = 0;
  int64_t current_epoch = 0;
};

// Append txns to the log, in order, after everything appended before. Answer with
// on_logged(last zxid) once they are on stable storage (a batch may be answered together
// with later ones). A server whose log write fails must stop (a learner cannot ack).
struct append_log {
  std::vector<txn> txns;
};

// Drop every logged txn after `zxid` (TRUNC). If `reload` is set, the caller's state machine
// holds txns after `zxid` (applied when it recovered from disk): rebuild it from what is left
// on disk, so that it holds exactly the txns up to `zxid`. Done before the next event.
struct truncate_log {
  zxid_t zxid = 0;
  bool reload = false;
};

// SNAP: replace the whole state machine by the image of every txn up to `zxid` that the
// transport received from the leader just before the sync_snap (the core never holds the
// image), and make it durable (a snapshot on disk, the old log gone) before the next event;
// the log continues after `zxid`.
struct install_snapshot {
  zxid_t zxid = 0;
};

// Committed txns, in zxid order, each following the last one applied: apply them to the
// state machine. On the leader, a txn it stamped with propose() is the answer to that
// client's write.
struct apply_txns {
  std::vector<txn> txns;
};

// Leader: fix an image of the state machine as it is now (every txn up to some zxid Z
// applied), ready to be streamed to `learner`, and answer with on_snapshot_taken(learner, Z,
// stream), `stream` naming that image for the transport; its result says whether the core
// used the image (if not, the caller releases it). Z may lag the core's commit point.
// The core never sees the image's bytes: the transport sends them ahead of the sync_snap that
// names the stream (see sync_snap).
struct take_snapshot {
  server_id learner = 0;
};

// The role, the leader, the epoch or whether this server may serve clients changed. When
// `serving` goes false the caller fails the writes it was waiting for (ZooKeeper closes its
// client connections when a server leaves its role).
struct status_changed {
  role now = role::looking;
  server_id leader = no_server;
  int64_t epoch = 0;
  bool serving = false;
};

// A configuration became active: a reconfig txn committed (after its apply_txns), a leader
// stamped the first version of zoo.cfg's configuration, or this server learned a newer
// committed one from its leader or another server. Write it to stable storage (ZooKeeper's
// dynamic config file) before carrying out any later action, connect to servers it adds and
// drop links to servers it no longer names. `removed`: this server was a member and is not
// in it: it no longer votes; it goes on as a non-voting learner, serving its clients, as
// ZooKeeper 3.8's removed servers do. ZooKeeper's COMMITANDACTIVATE / INFORMANDACTIVATE, and
// processReconfig.
struct activate_config {
  ensemble config;
  bool removed = false;
};

// Leader: the read round `round` (and every one before it) is confirmed: a quorum of voters
// still followed this leader after the round started, so no other leader had committed
// anything then, and `index` (the commit point when the round started) is as new as any
// write a client could have seen acknowledged. A read of that round may be served once the
// server serving it has applied every txn up to `index` (Raft's ReadIndex, section 6.4).
struct read_index_ready {
  uint64_t round = 0;
  zxid_t index = 0;
};

using action =
    std::variant<send_message, persist_epochs, append_log, truncate_log, install_snapshot,
                 apply_txns, take_snapshot, status_changed, activate_config, read_index_ready>;

} // namespace paddock::zab
