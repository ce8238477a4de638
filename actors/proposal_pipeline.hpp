#pragma once
// The standalone server's proposal pipeline: stamps each write into a txn (zxid = epoch <<
// 32 | counter, the server's wall-clock time), hands it to the txn log writer, and commits
// txns in zxid order once the log reports them durable: standalone, the quorum is this
// server's own log. In an ensemble this actor is not spawned; the quorum peer
// (actors/quorum_peer.hpp) takes the same messages (pipeline_handle) and commits a txn once a
// quorum of servers has logged it (ZAB's ACKs). Syncs wait in the same queue so that they
// are answered after every write before them.
// When the log cannot write (disk full), every txn not yet durable fails (its client gets
// an error, in order) and stamping resumes right after the last durable zxid: the log never
// has a gap, and no failed txn is ever applied.
#include "actors/messages/pipeline.hpp"
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"

#include <caf/stateful_actor.hpp>
#include <cstdint>
#include <deque>
#include <variant>

namespace paddock::actors {

struct pipeline_state {
  struct pending_entry {
    int64_t zxid = 0; // a sync waits for the zxid stamped before it
    std::variant<commit, sync_request> item;
  };
  context_ptr ctx;
  int64_t last_zxid = 0;    // the last zxid stamped
  int64_t durable_zxid = 0; // the last zxid the log has on disk
  uint64_t generation = 0;  // the log writer's, see log_append
  std::deque<pending_entry> pending;
  static inline const char* name = "paddock.proposal_pipeline";
};

pipeline_handle::behavior_type
proposal_pipeline(pipeline_handle::stateful_pointer<pipeline_state> self, context_ptr ctx,
                  int64_t last_zxid);

} // namespace paddock::actors
