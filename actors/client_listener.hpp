#pragma once
// The ZooKeeper-protocol adapter: a CAF broker that accepts client TCP connections, spawns
// one session actor per connection and moves bytes between sockets and sessions. It runs on
// CAF's single I/O thread (shared with peer traffic), so it does as little as it can: no
// framing, no decoding — bytes in are handed over as they arrive, bytes out are written as
// they come. The one thing it looks at is the first four bytes of a connection: a
// four-letter word there is answered by the admin actor and the connection closed; so is a
// `kill` command line by the fault injector, when there is one (test-only).
#include "actors/server_context.hpp"
#include "store/watch_table.hpp"

#include <caf/actor_addr.hpp>
#include <caf/io/broker.hpp>
#include <caf/io/connection_handle.hpp>
#include <caf/stateful_actor.hpp>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace paddock::actors {

struct listener_state {
  struct connection {
    caf::actor session; // none while the connection is a four-letter-word request
    std::string ip;
    uint16_t port = 0;
    bool first_bytes = true;
    uint64_t serial = 0; // tells this connection from a later one given the same handle
    // Fault injection: a `kill` command line being read, until its newline.
    bool fault_command = false;
    std::string fault_line;
  };
  context_ptr ctx;
  caf::actor admin;
  caf::actor fault_injector; // none unless --enable-fault-injection
  uint64_t next_serial = 1;
  std::unordered_map<caf::io::connection_handle, connection> connections;
  std::unordered_map<caf::actor_addr, caf::io::connection_handle> by_session;
  std::unordered_map<std::string, int> per_ip;
  store::watcher_id next_watcher = 1;
  // Ensemble: clients are served only while this server leads or follows an established
  // leader (quorum_peer says when); four-letter words are answered always.
  bool serving = true;

  static inline const char* name = "paddock.client_listener";
};

using listener_broker = caf::io::stateful_broker<listener_state>;

// Spawned with spawn_broker; answers (open_atom, port, address) with the bound port or an
// error, so the caller learns at start whether the client port could be bound.
// `fault_injector`: none, or the actor that carries out `kill` commands (test-only).
caf::behavior client_listener(listener_broker* self, context_ptr ctx, caf::actor admin,
                              caf::actor fault_injector);

} // namespace paddock::actors
