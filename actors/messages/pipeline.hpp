#pragma once
// The write path into the proposal pipeline (standalone) or the quorum peer (ensemble), which
// both answer to pipeline_handle (ctx->pipeline), and the txn log writer beside it.
//   session -> pipeline         write_request (a write, closeSession, the createSession of a
//                               new connection); sync_request
//   session expiry actor -> pipeline  write_request with no origin: an expiry's closeSession
//   container sweeper -> pipeline     write_request with no origin: a deleteContainer
//   pipeline -> txn log writer  log_append (standalone, one per txn)
//   quorum peer -> txn log writer  log_append_batch (one per append_log action);
//                               (truncate_atom, int64_t zxid) -> (bool ok, std::string error)
//                               (reset_log_atom, int64_t zxid) -> (bool ok, std::string error)
//   txn log writer -> pipeline  logged (durable up to a zxid), log_failed
//   pipeline -> session expiry actor  (retry_close_atom, int64_t session) in sessions.hpp
// The pipeline -> store half (commit_batch, sync_request) is in store.hpp.
#include "actors/messages/client.hpp"
#include "actors/messages/common.hpp"
#include "actors/messages/registry.hpp"
#include "protocol/zab/types.hpp"
#include "store/tree/txn.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace paddock::actors {

// session -> proposal pipeline: a write to stamp and commit. The pipeline fills in
// txn.zxid and txn.time_ms.
struct write_request {
  store::txn txn;
  origin from;
};

// session -> proposal pipeline -> store: sync, ordered with the writes but with no txn.
struct sync_request {
  std::string path;
  origin from;
};

// proposal pipeline -> log writer: one txn record to make durable. `generation` changes
// after a failed write: appends of an older generation were stamped before the failure and
// are dropped (the pipeline fails them itself).
struct log_append {
  uint64_t generation = 0;
  int64_t zxid = 0;
  zab::shared_bytes body; // the txn as Protobuf bytes, shared with the ZAB core's history
};

// quorum peer -> log writer: the txns of one append_log action, in order: one message for
// the batch rather than one per txn.
struct log_append_batch {
  std::vector<log_append> items;
};

// log writer -> proposal pipeline: every txn up to `zxid` is on disk.
struct logged {
  uint64_t generation = 0;
  int64_t zxid = 0;
};

// log writer -> proposal pipeline: a write failed (disk full, ...). Nothing after
// `durable_zxid` is on disk; the pipeline fails those txns and stamps from there again.
struct log_failed {
  uint64_t generation = 0;
  int64_t durable_zxid = 0;
  std::string reason;
};

// quorum peer -> log writer (ensemble): ZAB's TRUNC (drop the records after a zxid) and
// SNAP (a snapshot from the leader replaces the whole log).
using truncate_atom = caf::atom_constant<caf::atom("truncate")>;
using reset_log_atom = caf::atom_constant<caf::atom("resetlog")>;

// What the standalone proposal_pipeline and the quorum_peer both take: the write path.
using pipeline_handle =
    caf::typed_actor<caf::reacts_to<write_request>, caf::reacts_to<sync_request>,
                     caf::reacts_to<logged>, caf::reacts_to<log_failed>>;

// The txn log writer (actors/txn_log_writer_actor.hpp); flush_atom is its own group-commit
// marker.
using txn_log_writer_handle =
    caf::typed_actor<caf::reacts_to<log_append>, caf::reacts_to<log_append_batch>,
                     caf::reacts_to<flush_atom>,
                     caf::replies_to<truncate_atom, int64_t>::with<bool, std::string>,
                     caf::replies_to<reset_log_atom, int64_t>::with<bool, std::string>>;

} // namespace paddock::actors
