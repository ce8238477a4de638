#pragma once
// Decides which sessions are alive (on the leader; standalone, here). Hands out session ids
// and passwords, checks them on reconnect, moves a session to the connection that last
// claimed it, and expires sessions in tick buckets: an expired session gets a closeSession
// txn through the pipeline (deleting its ephemerals) and its connection is closed.
#include "actors/server_context.hpp"
#include "store/session_expiry.hpp"

#include <caf/stateful_actor.hpp>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace paddock::actors {

struct tracker_state {
  struct session_info {
    caf::actor owner; // the session actor of the connection that holds it now
    std::string passwd;
  };
  context_ptr ctx;
  store::session_expiry expiry{2000};
  std::unordered_map<int64_t, session_info> sessions;
  int64_t next_session_id = 0;
  uint64_t secret = 0;
  static inline const char* name = "paddock.session_tracker";
};

caf::behavior session_tracker(caf::stateful_actor<tracker_state>* self, context_ptr ctx);

} // namespace paddock::actors
