#pragma once
// The client conversation: the client listener (a broker moving bytes) <-> the session actor
// of each connection <- the watch manager (replies and events), and the session's own timers.
//   listener -> session   (data_atom, std::vector<char> bytes)   what the client sent
//                         (closed_atom)                           the client went away
//                         (backlog_atom, bool over)               unwritten replies crossed a
//                                                                 water mark (flow control)
//   session -> listener   (write_atom, connection_handle, std::string bytes)
//                         (close_atom, connection_handle)         after what was written
//                         (reading_atom, connection_handle, bool) read the socket or stop:
//                                                                 the request window is full
//                         (connected_atom, connection_handle)     the handshake is done
//   watch manager -> session  outbound_batch: replies and events, in order
//   tracker -> session    (expire_atom) the session is gone; (moved_atom) another connection
//                         took it
//   admin, fault injector -> session  (stats_atom) -> admin::connection_info (cons)
//   server -> listener    (open_atom, uint16_t port, std::string address) -> uint16_t bound
//   quorum peer -> listener (serving_atom, bool) whether this server serves clients now
// Only the connection's current session may write to or close it: CAF reuses handles.
#include "actors/messages/common.hpp"
#include "actors/messages/registry.hpp"
#include "protocol/admin/four_letter_words.hpp"

#include <caf/atom.hpp>
#include <caf/io/connection_handle.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace paddock::actors {

// listener <-> session
using data_atom = caf::atom_constant<caf::atom("data")>;     // bytes the client sent
using write_atom = caf::atom_constant<caf::atom("write")>;   // bytes for the client
using close_atom = caf::atom_constant<caf::atom("close")>;   // close this connection
using closed_atom = caf::atom_constant<caf::atom("closed")>; // the client went away
using open_atom = caf::atom_constant<caf::atom("open")>;     // start listening
// Flow control (protocol/client/flow_control.hpp). session -> listener: read this socket
// or stop reading it (the session's request window is full); the handshake is done.
using reading_atom = caf::atom_constant<caf::atom("reading")>;
using connected_atom = caf::atom_constant<caf::atom("connected")>;
// listener -> session: the socket's unwritten bytes crossed a water mark (true: over).
using backlog_atom = caf::atom_constant<caf::atom("backlog")>;
// quorum peer -> listener (ensemble): serve clients or close them all.
using serving_atom = caf::atom_constant<caf::atom("serving")>;
// tracker -> session
using expire_atom = caf::atom_constant<caf::atom("expire")>; // your session is gone
using moved_atom = caf::atom_constant<caf::atom("moved")>;   // another connection took it

// Self-addressed timers. The session: its client's replies stayed over the water mark
// (the stall epoch when it began).
using stall_atom = caf::atom_constant<caf::atom("stall")>;
// The listener: a fault-injection command line had its time to complete; a connection's
// nio.sessionlessCnxnTimeout is over (is its handshake done?); a heap trim is due; an
// answer to write and close with (not from inside the read handler: CAF 0.17 crashes
// passivating a connection its handler closed).
using fault_timeout_atom = caf::atom_constant<caf::atom("faulttmo")>;
using handshake_timeout_atom = caf::atom_constant<caf::atom("hstmo")>;
using trim_atom = caf::atom_constant<caf::atom("trim")>;
using answer_atom = caf::atom_constant<caf::atom("answer")>;
// The listener (readonlymode.enabled): the grace of a not-serving spell (its epoch) is over.
using read_only_atom = caf::atom_constant<caf::atom("readonly")>;
// TLS listener -> listener: (tls_atom, int fd, ip, port, x509 id), a decrypted connection.
using tls_atom = caf::atom_constant<caf::atom("tls")>;

// One frame for a session: a reply to one of its requests, or a notification.
struct outbound {
  std::string frame;
  bool is_reply = false;
  bool is_write = false; // a reply to a write (or sync / close), not to a read
  int64_t zxid = 0;      // the tree's zxid when it was made (for lastZxid bookkeeping)
  int32_t opcode = 0;
  bool failed = false; // a write that was not applied (its frame carries the error)
};

// watch manager -> session: everything for this session from one drain of the watch
// manager's mailbox, in order. Batching here is what keeps the number of actor wake-ups
// (and socket writes) per request low when many sessions are busy.
struct outbound_batch {
  std::vector<outbound> items;
};

// What a session actor accepts (actors/session.hpp).
using session_handle =
    caf::typed_actor<caf::reacts_to<data_atom, std::vector<char>>, caf::reacts_to<outbound_batch>,
                     caf::reacts_to<closed_atom>, caf::reacts_to<expire_atom>,
                     caf::reacts_to<moved_atom>, caf::reacts_to<backlog_atom, bool>,
                     caf::reacts_to<stall_atom, uint64_t>,
                     caf::replies_to<stats_atom>::with<admin::connection_info>>;

// What the client listener accepts from the actors of the server (actors/client_listener.hpp).
// The listener itself is a dynamically typed broker (CAF's io events arrive as ordinary
// messages and a typed broker would have to list them all); this is the narrowest handle its
// senders get.
using listener_handle =
    caf::typed_actor<caf::replies_to<open_atom, uint16_t, std::string>::with<uint16_t>,
                     caf::reacts_to<write_atom, caf::io::connection_handle, std::string>,
                     caf::reacts_to<close_atom, caf::io::connection_handle>,
                     caf::reacts_to<reading_atom, caf::io::connection_handle, bool>,
                     caf::reacts_to<connected_atom, caf::io::connection_handle>,
                     caf::reacts_to<serving_atom, bool>>;

// Who gets the reply to a request, and which request it answers.
struct origin {
  session_handle session; // empty for server-made txns (session expiry, container sweeps)
  int32_t xid = 0;
};

} // namespace paddock::actors
