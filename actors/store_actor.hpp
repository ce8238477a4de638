#pragma once
// Owns the data tree. Applies commits in zxid order and serves reads, and sends every
// outcome to the watch manager in the order it happened: commits and reads leave this actor
// as one FIFO stream, which is what makes ZooKeeper's watch guarantee hold (a watch is
// never registered "between" a change and its notification).
#include "actors/server_context.hpp"
#include "store/data_tree.hpp"

#include <caf/stateful_actor.hpp>

namespace paddock::actors {

struct store_state {
  context_ptr ctx;
  store::data_tree tree;
  static inline const char* name = "paddock.store";
};

caf::behavior store_actor(caf::stateful_actor<store_state>* self, context_ptr ctx);

} // namespace paddock::actors
