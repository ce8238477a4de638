#pragma once
// Writes the snapshots the store produces slice by slice (snapshot_slice) to disk, on its own
// thread (a detached actor: writes and fsyncs block): a .tmp file, fsync'ed, renamed, the
// directory fsync'ed (store/disk/snapshot.hpp). It acks each slice once written, which is
// what lets the store produce more, and reports how the snapshot ended. It also purges old
// snapshots and log segments every autopurge.purgeInterval hours, keeping
// autopurge.snapRetainCount snapshots (ZooKeeper's DatadirCleanupManager; with purgeInterval 0,
// the default, nothing is ever deleted). A purge runs between slices, on this same thread,
// and counts only renamed snapshots, never the one being written.
// A learner being synced by SNAP writes the leader's image here too, as it arrives
// (received_chunk from peer_links, answered once written, which is what lets the leader send
// more): into its own file beside the snapshots (store/disk/received_snapshot.hpp), checked
// and fsync'ed at the end; the store installs it from there.
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"
#include "store/disk/received_snapshot.hpp"
#include "store/disk/snapshot.hpp"

#include <caf/stateful_actor.hpp>
#include <memory>

namespace paddock::actors {

struct snapshotter_state {
  context_ptr ctx;
  // The snapshot being written, and when its first slice came; null between snapshots and
  // after a failure (the rest of that snapshot's slices are then dropped).
  std::unique_ptr<store::snapshot_file_writer> file;
  int64_t zxid = 0;
  int64_t started_ms = 0;
  int64_t unsynced_bytes = 0; // appended since the last fdatasync of the .tmp file
  // The leader's SNAP image being received (learner), and when its first piece came.
  std::unique_ptr<store::received_snapshot_writer> received;
  int64_t received_started_ms = 0;
  static inline const char* name = "paddock.snapshotter";
};

snapshotter_handle::behavior_type
snapshotter(snapshotter_handle::stateful_pointer<snapshotter_state> self, context_ptr ctx);

} // namespace paddock::actors
