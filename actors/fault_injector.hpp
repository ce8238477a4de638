#pragma once
// Test-only (`paddock --enable-fault-injection`): carries out `kill <target>` commands from
// the client port so that a chaos harness can check the server's supervision
// (docs/architecture.md "Supervision", docs/operator-guide.md "Fault injection"):
//   session        the session actor dies (exit_reason::kill): the listener, which monitors
//                  it, closes its connection; the session lives on in the tracker and its
//                  client reconnects to it.
//   follower-link  peer_links drops one ZAB link as if its connection broke, on both ends:
//                  the leader forgets the follower, which rejoins and syncs again.
//   the others     a core actor dies: the server, which monitors each, stops (exit status 3).
// Without the flag this actor is not spawned and `kill` is not a command.
#include "actors/messages/admin.hpp"
#include "actors/server_context.hpp"

#include <caf/stateful_actor.hpp>
#include <random>

namespace paddock::actors {

struct fault_injector_state {
  context_ptr ctx;
  std::mt19937_64 random{std::random_device{}()};
  static inline const char* name = "paddock.fault_injector";
};

// (fault_atom, std::string command line, std::vector<session_handle> sessions of this server)
// -> std::string answer line (actors/messages/admin.hpp).
fault_injector_handle::behavior_type
fault_injector(fault_injector_handle::stateful_pointer<fault_injector_state> self, context_ptr ctx);

} // namespace paddock::actors
