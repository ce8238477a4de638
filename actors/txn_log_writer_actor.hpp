#pragma once
// The txn log's writer, the actor around store/disk/txn_log_writer: a detached actor (its own
// thread), so write + fdatasync never block the scheduler's workers. Group commit: the first append
// of a batch sends the actor a flush to itself; everything that arrives before that flush is
// dequeued joins the batch, which is written with one write and made durable with one fdatasync.
// While it syncs, the next batch gathers in the mailbox — the more clients write, the more each
// fsync carries. Every snapCount/2 + random(snapCount/2) records it starts a new segment and asks
// the store for a snapshot, as ZooKeeper's SyncRequestProcessor does.
#include "actors/messages/pipeline.hpp"
#include "actors/server_context.hpp"
#include "store/disk/txn_log_writer.hpp"

#include <caf/stateful_actor.hpp>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

namespace paddock::actors {

struct txn_log_writer_state {
  context_ptr ctx;
  std::unique_ptr<store::txn_log_writer> log;
  std::string batch;       // framed records not yet written
  int64_t batch_first = 0; // zxid of the batch's first record (0: empty batch)
  int64_t batch_last = 0;
  int64_t batch_records = 0; // records in the batch (zxids jump at an epoch change)
  int64_t durable_zxid = 0;  // the last zxid on disk
  uint64_t generation = 0;   // of the appends accepted now
  int64_t in_segment = 0;    // records written since the last roll
  int64_t roll_after = 0;    // roll (and snapshot) once in_segment exceeds this
  bool roll_next = false;    // the next batch starts a new segment
  std::mt19937_64 random{std::random_device{}()};
  static inline const char* name = "paddock.txn_log_writer";
};

txn_log_writer_handle::behavior_type
txn_log_writer_actor(txn_log_writer_handle::stateful_pointer<txn_log_writer_state> self,
                     context_ptr ctx, int64_t last_zxid);

} // namespace paddock::actors
