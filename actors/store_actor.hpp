#pragma once
// Owns the data tree. Applies commits in zxid order and serves reads, and sends every
// outcome to the watch manager in the order it happened: commits and reads leave this actor
// as one FIFO stream, which is what makes ZooKeeper's watch guarantee hold (a watch is
// never registered "between" a change and its notification).
// Snapshots: when the log writer asks, the store begins a copy-on-write snapshot of the tree
// at exactly the last applied zxid (store/disk/snapshot_stream.hpp) and serializes it a
// bounded slice at a time (~0.5 ms, then a 3 ms pause), commits and the rest running
// in between; the snapshotter writes the slices on its own thread and acks them, and the store
// stops producing while 8 MB are unacked (docs/on-disk-format.md says why this design).
// A learner's SNAP image (leader) is produced the same way, a piece at a time as peer_links
// asks for one (docs/replication.md, "SNAP as a stream"); a learner installs the image it
// received into a file (install_atom).
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"
#include "store/disk/snapshot_stream.hpp"
#include "store/tree/data_tree.hpp"
#include "store/tree/digest_log.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace paddock::actors {

struct store_state {
  context_ptr ctx;
  store::data_tree tree;
  // From snapshot_atom until the snapshotter reports the file written (or failed): one at a
  // time.
  bool snapshot_running = false;
  int64_t snapshot_zxid = 0;
  std::unique_ptr<store::snapshot_stream> snapshot; // while slices remain to produce
  bool snapshot_first_slice = false;
  uint64_t snapshot_unacked = 0; // bytes sent to the snapshotter, not yet written
  bool snapshot_waiting = false; // over the limit: the next ack produces the next slice
  // The image of a learner's SNAP (leader): fixed when the quorum peer asks (take_snap_atom),
  // produced the way a disk snapshot is (slices between commits) but only while peer_links
  // has asked for a piece (snap_pull_atom), which it does while its window to the learner
  // has room: the leader never holds more than a piece or two of the image. It shares the
  // tree's one copy-on-write snapshot with the disk snapshot, so one stream (or disk
  // snapshot) runs at a time; the quorum peer's requests wait in line.
  struct learner_stream {
    uint64_t id = 0;
    std::unique_ptr<store::snapshot_stream> image; // null once every byte was produced
    std::string buffer;                            // produced, not yet handed out
    uint64_t handed_out = 0;
    uint32_t crc = 0; // of the bytes handed out
    std::optional<caf::typed_response_promise<snap_piece>> pull;
    bool slice_due = false; // a snapshot_next_atom is on its way
    int64_t started_ms = 0;
    int64_t last_pull_ms = 0;
  };
  std::optional<learner_stream> learner;
  uint64_t next_learner_stream = 0;
  std::deque<caf::typed_response_promise<int64_t, uint64_t>> learner_snapshot_requests;
  // Backups (the AdminServer's snapshot command) waiting for the snapshot file being written.
  std::vector<caf::typed_response_promise<int64_t, std::string>> backup_requests;
  // The tree digest after each applied txn, and the leader's waiting for theirs (learner).
  store::digest_log digests;
  // A mismatch was reported to the quorum peer; the next ones only count until the tree is
  // replaced (the SNAP it asked for).
  bool resync_asked = false;
  // The last digest report to the quorum peer: when, and the zxid it reached (the next one
  // carries every txn after it); a timer for the next report is pending (report_digest,
  // store_actor.cpp).
  int64_t last_report_ms = INT64_MIN / 2;
  int64_t reported_zxid = -1;
  bool digest_report_timer = false;
  bool reporting_digests = false;     // this server leads (commit_batch::report_digests)
  bool corrupt_next_set_data = false; // fault injection: see corrupt_atom
  static inline const char* name = "paddock.store";
};

// `recovered` is the tree rebuilt from disk; the actor takes it over.
store_handle::behavior_type store_actor(store_handle::stateful_pointer<store_state> self,
                                        context_ptr ctx,
                                        std::shared_ptr<store::data_tree> recovered);

} // namespace paddock::actors
