#pragma once
// The leader's proposal pipeline: stamps each write into a txn (zxid = epoch << 32 |
// counter, the leader's wall-clock time) and commits txns in zxid order. Standalone, a
// txn commits as soon as it is stamped; the durability issue puts the log writer's
// fsync before the commit, and the replication issue a quorum of follower ACKs. Syncs
// travel the same queue so that they are answered after every write before them.
#include "actors/server_context.hpp"

#include <caf/stateful_actor.hpp>
#include <cstdint>

namespace paddock::actors {

struct pipeline_state {
  context_ptr ctx;
  int64_t last_zxid = 0;
  static inline const char* name = "paddock.proposal_pipeline";
};

caf::behavior proposal_pipeline(caf::stateful_actor<pipeline_state>* self, context_ptr ctx,
                                int64_t last_zxid);

} // namespace paddock::actors
