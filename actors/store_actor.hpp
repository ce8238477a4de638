#pragma once
// Owns the data tree. Applies commits in zxid order and serves reads, and sends every
// outcome to the watch manager in the order it happened: commits and reads leave this actor
// as one FIFO stream, which is what makes ZooKeeper's watch guarantee hold (a watch is
// never registered "between" a change and its notification).
// Snapshots: when the log writer asks, the store forks. The child process holds a
// copy-on-write image of the tree at exactly the last applied zxid, writes it out and exits;
// the store goes on applying after a pause of one fork() (docs/on-disk-format.md says why
// this rather than a fuzzy snapshot). The snapshotter actor waits for the child.
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"
#include "store/tree/data_tree.hpp"

#include <caf/stateful_actor.hpp>
#include <memory>

namespace paddock::actors {

struct store_state {
  context_ptr ctx;
  store::data_tree tree;
  bool snapshot_running = false;
  static inline const char* name = "paddock.store";
};

// `recovered` is the tree rebuilt from disk; the actor takes it over.
store_handle::behavior_type store_actor(store_handle::stateful_pointer<store_state> self,
                                        context_ptr ctx,
                                        std::shared_ptr<store::data_tree> recovered);

} // namespace paddock::actors
