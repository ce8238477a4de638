#pragma once
// Read-only mode (readonlymode.enabled): what an ensemble member cut off from its quorum
// serves, and when. Pure decisions; the client listener and the session actor carry them out.
//
// While the member looks for a leader and has done so for `read_only_grace_ms`, it accepts
// connections whose ConnectRequest says readOnly=true (and only those), serves their reads
// from its own tree and answers what would change the tree, or needs the leader, with
// NotReadOnly. The sessions it makes so are its own: no createSession txn is logged or
// replicated, and they end when the member serves read-write again.
#include <cstdint>

namespace paddock::client {

// How long a member looks for a leader before it serves read-only clients: ZooKeeper's
// grace of max(2 s, tickTime), so that a short election does not flip clients to read-only.
int32_t read_only_grace_ms(int32_t tick_time_ms);

// Whether a read-only server refuses a request of this opcode with NotReadOnly: every write,
// check and multi (even one that only checks), reconfig, and sync (it needs the leader).
// Reads, watches, ping, auth and closeSession are served.
bool refused_when_read_only(int32_t opcode);

// Whether a server accepts a client's ConnectRequest: a read-only server only those that
// asked for a read-only connection; a read-write server any.
bool accepts_connection(bool server_read_only, bool client_asked_read_only);

} // namespace paddock::client
