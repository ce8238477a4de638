#pragma once
// The ZooKeeper-protocol adapter: a CAF broker that accepts client TCP connections, spawns
// one session actor per connection and moves bytes between sockets and sessions. It runs on
// CAF's single I/O thread (shared with peer traffic), so it does as little as it can: no
// framing, no decoding — bytes in are handed over as they arrive, bytes out are written as
// they come. The one thing it looks at is the first four bytes of a connection: a
// four-letter word there is answered by the admin actor and the connection closed; so is a
// `kill` command line by the fault injector, when there is one (test-only).
// It also keeps each client within its flow limits (protocol/client/flow_control.hpp): a
// socket is not read while its session's request window is full or while too many reply
// bytes wait to be written to it, and a connection far over the limit is closed.
#include "actors/messages/admin.hpp"
#include "actors/messages/client.hpp"
#include "actors/server_context.hpp"
#include "protocol/client/flow_control.hpp"
#include "store/watches/watch_table.hpp"

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
    explicit connection(const client::flow_limits& limits) : backlog(limits) {}
    session_handle session; // none while the connection is a four-letter-word request
    std::string ip;
    uint16_t port = 0;
    std::string x509_id; // a TLS client's certificate subject (secure port), else ""
    bool first_bytes = true;
    std::vector<char> head; // the first bytes, while fewer than 4 have come
    uint64_t serial = 0;    // tells this connection from a later one given the same handle
    // Fault injection: a `kill` command line being read, until its newline.
    bool fault_command = false;
    std::string fault_line;
    // Flow control: the bytes not yet written to the socket, whether the session wants it
    // read, whether it is read now.
    client::output_backlog backlog;
    bool session_wants_reading = true;
    bool reading = true;
    bool acking = false; // write acknowledgements on (while a backlog is followed)
    client::read_sizer read_size;
    bool established = false; // the handshake is done (until then a timeout closes it)
  };
  context_ptr ctx;
  admin_handle admin;
  fault_injector_handle fault_injector; // none unless --enable-fault-injection
  uint64_t next_serial = 1;
  std::unordered_map<caf::io::connection_handle, connection> connections;
  std::unordered_map<caf::actor_addr, caf::io::connection_handle> by_session;
  std::unordered_map<std::string, int> per_ip;
  store::watcher_id next_watcher = 1;
  // Ensemble: clients are served only while this server leads or follows an established
  // leader (quorum_peer says when); four-letter words are answered always.
  bool serving = true;
  // readonlymode.enabled: while not serving, and once the grace after it stopped is over,
  // connections asking for read-only are served (protocol/client/read_only.hpp). The epoch
  // tells the grace timer of the current not-serving spell from an older one.
  bool read_only = false;
  uint64_t read_only_epoch = 0;
  // False once the server stops (close_atom): no connection is taken any more.
  bool accepting = true;
  // A trim of the C heap is due (connections closed): freed memory goes back to the system.
  bool trim_scheduled = false;
  int closed_since_trim = 0;
  // The client port it accepts on, and where ("" or 0.0.0.0: every address). A reconfig that
  // moves this server's client address opens the new one and closes this.
  caf::io::accept_handle doorman;
  uint16_t port = 0;
  std::string address;

  static inline const char* name = "paddock.client_listener";
};

using listener_broker = caf::io::stateful_broker<listener_state>;

// Spawned with spawn_broker; answers (open_atom, port, address) with the bound port or an
// error, so the caller learns at start whether the client port could be bound. Asked again
// (a reconfig moved this server's client address), it opens the new one, then closes the old. A
// broker is dynamically typed (CAF's I/O events arrive as ordinary messages); the rest of the
// server reaches it through listener_handle (actors/messages/client.hpp). `fault_injector`: none,
// or the actor that carries out `kill` commands (test-only).
// The secure client port (actors/tls_listener.hpp) hands its connections over as
// (tls_atom, int fd, std::string ip, uint16_t port, std::string x509_id): the plaintext end of
// a socket pair, served from then on as any client connection from ip:port.
// Shutdown, from the server: (caf::close_atom) -> caf::ok_atom closes the client port and
// refuses TLS hand-overs from then on, so that no connection is accepted in the round of CAF's
// multiplexer in which the listener stops (CAF 0.17 would never free that connection).
caf::behavior client_listener(listener_broker* self, context_ptr ctx, admin_handle admin,
                              fault_injector_handle fault_injector);

} // namespace paddock::actors
