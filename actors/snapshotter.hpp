#pragma once
// Waits for the snapshot writer processes the store forks (a detached actor: waitpid
// blocks), reports how each ended, and purges old snapshots and log segments every
// autopurge.purgeInterval hours, keeping autopurge.snapRetainCount snapshots (ZooKeeper's
// DatadirCleanupManager; with purgeInterval 0, the default, nothing is ever deleted).
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"

#include <caf/stateful_actor.hpp>

namespace paddock::actors {

struct snapshotter_state {
  context_ptr ctx;
  static inline const char* name = "paddock.snapshotter";
};

snapshotter_handle::behavior_type
snapshotter(snapshotter_handle::stateful_pointer<snapshotter_state> self, context_ptr ctx);

} // namespace paddock::actors
