#pragma once
// Ensemble mode's replacement for the proposal pipeline: wraps the pure ZAB core
// (protocol/zab/peer) and carries out what it asks — messages to the other servers through
// peer_links, appends through the group-commit log writer, commits to the store in zxid
// order, epochs to disk — and feeds it what happens: messages, lost links, log writes done,
// ticks every 50 ms. It also does what ZooKeeper's request processors do around ZAB:
//   leader:  stamps client writes (its own and the ones learners forward) and proposes them,
//            holding writes back while max_in_flight proposals wait for a quorum;
//   learner: forwards its clients' writes and syncs to the leader, and relays session pings;
//   both:    with paddock.linearizableReads, holds its clients' reads until the leader has
//            confirmed a read index through its quorum and this server applied it (ReadIndex);
//   both:    answers each client's write when its commit is applied (matched by session id
//            and cxid), and closes every client connection whenever the server stops serving
//            (ZooKeeper shuts its client side down when a server leaves its role).
// Sessions, the store, log writer and tracker find it as ctx->pipeline (pipeline_handle),
// like the standalone pipeline; what only it takes is on ctx->quorum_peer
// (quorum_peer_handle, actors/messages/ensemble_local.hpp).
#include "actors/messages/client.hpp"
#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/pipeline.hpp"
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"
#include "config/membership.hpp"
#include "protocol/zab/peer.hpp"
#include "protocol/zab/read_batches.hpp"
#include "protocol/zab/read_queue.hpp"

#include <caf/stateful_actor.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace paddock::actors {

struct quorum_peer_state {
  context_ptr ctx;
  std::unique_ptr<zab::peer> core;
  peer_links_handle links;  // peer_links: connections to the other servers
  listener_handle listener; // the client listener: told whether to serve
  std::map<zab::server_id, uint64_t> link_generation; // as last heard from peer_links
  zab::status_changed status;
  // Steps not carried out yet: a blocking one (truncate, install) waits for its answer and
  // the rest follow it, so nothing overtakes it. Besides the core's actions, the second half
  // of two of them: rebuild the tree after a truncation, drop the log after a snapshot; and
  // after either, show the configuration in the new tree's /zookeeper/config.
  struct reload_tree {
    zab::zxid_t zxid;
  };
  struct reset_log {
    zab::zxid_t zxid;
  };
  struct show_config {};
  using step = std::variant<zab::action, reload_tree, reset_log, show_config>;
  std::deque<step> todo;
  bool blocked = false;
  // Writes of this server's clients waiting for their commit, by (session id, cxid).
  std::map<std::pair<int64_t, int32_t>, origin> pending;
  // The active configuration's servers with their addresses (the core knows ids and roles;
  // a reconfig request is read against these).
  config::members_map members;
  // Leader: stamped writes waiting for room in the proposal window, in arrival order. A
  // reconfig waits there for the store's word on its caller's right (NoAuth), and nothing
  // behind it overtakes it.
  struct held_write {
    std::string body;
    std::optional<zab::ensemble> config; // a reconfig's new configuration
    bool awaiting_right = false;
  };
  std::deque<held_write> held;
  bool reconfig_held = false; // a reconfig is in `held`: a second one is ReconfigInProgress
  bool flush_pending = false; // a flush of the proposals made since the last one is queued
  // Learner: its clients' writes since the last flush, for one forward_writes message.
  std::vector<std::string> forward_buffer;
  // Leader: local syncs waiting for the commit of the last proposal before them.
  std::deque<std::pair<zab::zxid_t, sync_request>> local_syncs;
  // Leader: learners' syncs waiting likewise, each answered on the commit stream it came
  // in on (zab::peer::commit_stream) or not at all.
  struct remote_sync {
    zab::zxid_t zxid;
    zab::server_id learner;
    uint64_t stream;
    int64_t id;
  };
  std::deque<remote_sync> remote_syncs;
  // Learner: local syncs forwarded to the leader, by id.
  std::map<int64_t, sync_request> learner_syncs;
  int64_t next_sync_id = 1;
  // Linearizable reads (paddock.linearizableReads): this server's clients' reads waiting for
  // their read index to be confirmed and applied, by read round (leader: the core's rounds;
  // learner: its requests to the leader, numbered by learner_read_rounds).
  zab::read_queue<read_request> reads;
  zab::read_batches learner_read_rounds;
  // Leader: learners' requests for a read index, by the core's round, each answered on the
  // commit stream it came in on (zab::peer::commit_stream) or not at all.
  struct remote_read {
    uint64_t round;
    zab::server_id learner;
    uint64_t stream;
    int64_t id;
  };
  std::deque<remote_read> remote_reads;
  // When the current leader election started (monotonic us), -1 while there is a leader: the
  // log line at its end says how long it took.
  int64_t election_started_us = -1;
  // For ZooKeeper's election_time and follower/observer_sync_time (monotonic ms): when this
  // server last started looking, and when it last took a role after looking.
  int64_t looking_since_ms = 0;
  int64_t role_since_ms = 0;
  static inline const char* name = "paddock.quorum_peer";
};

// `state`: the epochs and log recovered from disk (the store's tree holds all of it applied).
quorum_peer_handle::behavior_type
quorum_peer(quorum_peer_handle::stateful_pointer<quorum_peer_state> self, context_ptr ctx,
            zab::persistent_state state, listener_handle listener);

} // namespace paddock::actors
