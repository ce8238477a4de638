#pragma once
// The leader's container / TTL sweeper (ZooKeeper's ContainerManager), the actor around the
// pure store/tree/container_sweeper: every znode.container.checkIntervalMs it asks the store
// which containers and TTL znodes are due (store::sweep_candidates) and proposes a deleteContainer
// txn for each through the pipeline, as session 0 with no reply. Only the standalone server or the
// serving leader sweeps; the txns replicate like any write, so followers just apply them.
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"

#include <caf/stateful_actor.hpp>
#include <cstddef>

namespace paddock::actors {

struct container_sweeper_state {
  context_ptr ctx;
  bool active = false;    // standalone, or leading and serving
  bool in_flight = false; // a candidate request to the store is outstanding
  size_t per_pass = 1;    // znode.container.maxPerMinute, spread over the passes
  static inline const char* name = "paddock.container_sweeper";
};

container_sweeper_handle::behavior_type
container_sweeper_actor(container_sweeper_handle::stateful_pointer<container_sweeper_state> self,
                        context_ptr ctx);

} // namespace paddock::actors
