#pragma once
// ZooKeeper's SessionTracker: the actor around store/sessions/session_expiry (ZooKeeper's
// ExpiryQueue), called "the tracker" by the actors that talk to it (ctx->tracker).
// Decides which sessions are alive (on the leader; standalone, here). Hands out session ids
// and passwords, checks them on reconnect, moves a session to the connection that last
// claimed it, and expires sessions in tick buckets: an expired session gets a closeSession
// txn through the pipeline (deleting its ephemerals) and its connection is closed.
// In an ensemble every server's tracker knows every session (the store tells it of each
// createSession / closeSession applied), so a client can resume on any server; only the
// leader's tracker expires sessions, the others send it the sessions they saw alive each
// half tick, as ZooKeeper's learners do in their ping replies.
#include "actors/messages/sessions.hpp"
#include "actors/server_context.hpp"
#include "store/sessions/session_expiry.hpp"
#include "store/tree/data_tree.hpp"

#include <caf/stateful_actor.hpp>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace paddock::actors {

struct session_expiry_state {
  struct session_info {
    session_handle owner; // the session actor of the connection that holds it now
    std::string passwd;
    int32_t timeout_ms = 0;
    // This tracker sent (or the client asked for) the session's closeSession txn. The
    // session is forgotten only when the store applies it (session_down): a close proposed
    // by a leader that lost its leadership never commits, and a session forgotten then would
    // never expire anywhere once this server leads again — its ephemerals would stay for good.
    bool closing = false;
  };
  context_ptr ctx;
  store::session_expiry expiry{2000};
  std::unordered_map<int64_t, session_info> sessions;
  int64_t next_session_id = 0;
  uint64_t secret = 0;
  std::vector<int64_t> close_retries; // expiries the log could not write: sent again next tick
  bool expires = true;                // standalone or leader: this tracker expires sessions
  std::vector<int64_t> touched;       // learner: sessions seen alive since the last relay
  // Read-only mode: sessions local to this server (no txn made them, the ensemble never
  // hears of them). They outlive their connection until their timeout, here, whatever the
  // role (a read-only server leads nothing), and are all forgotten when the mode ends.
  std::unordered_map<int64_t, session_info> local;
  store::session_expiry local_expiry{2000};
  static inline const char* name = "paddock.session_expiry";
};

// `recovered`: the sessions the tree holds after a restart. Each gets its whole timeout again
// from now (as ZooKeeper does) and expires normally if its client does not come back.
session_expiry_handle::behavior_type
session_expiry_actor(session_expiry_handle::stateful_pointer<session_expiry_state> self,
                     context_ptr ctx, std::vector<store::session_entry> recovered);

} // namespace paddock::actors
