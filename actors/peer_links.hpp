#pragma once
// The connections of one ensemble member to the others (CAF's distributed transport, BASP).
// One peer_links actor per server; it is published on both of ZooKeeper's ports (election
// and quorum) and connects to the same actor of every other server, monitors it (never
// links), and reconnects with backoff while a peer is down. It advertises the peer protocol
// version on both ports and links only to peers that advertise the same
// (peer_protocol_check.hpp; docs/architecture.md, "The peer protocol version check").
// Its messages, the owner's (quorum_peer's) and the other servers', and the link generations
// that keep ZAB's ordering rule are in actors/messages/ensemble_local.hpp and
// ensemble_wire.hpp. Test-only (fault injection), from the owner: (drop_link_atom,
// std::vector<server_id> candidates) -> server_id drops the link to one of the candidates
// whose link is up, chosen at random, as if its connection broke; answers its id or
// no_server.
// Shutdown, from the server: (caf::close_atom) -> caf::ok_atom closes the election and quorum
// ports and stops connecting to peers, so no peer connection is made or accepted while CAF's
// middleman stops (see stop_listening in peer_links.cpp).
#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/ensemble_wire.hpp"
#include "actors/messages/store.hpp"
#include "actors/peer_protocol_check.hpp"
#include "config/zoo_config.hpp"
#include "protocol/clock/source.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <cstdint>
#include <memory>
#include <string>

namespace paddock::actors {

// SNAP streams (docs/replication.md, "SNAP as a stream"): where a learner's image comes from
// on the leader (the store produces it a piece at a time, as the window to the learner has
// room) and goes to on a learner (the snapshotter writes it to disk and answers once written,
// which is the ack the leader waits for); the clock times the streams for the log. The bytes
// a leader may hold back behind a stream are a setting rather than the constant alone so that
// a test can reach the limit with a few proposals instead of pushing 256 MiB through loopback.
struct snap_stream_actors {
  store_handle store;
  snapshotter_handle snapshotter;
  std::shared_ptr<const paddock::clock::source> clock;
  uint64_t held_bytes_limit = snap_held_bytes_limit; // as actors/messages/held_size.hpp charges
};

// Spawns the actor for `cfg`'s ensemble, delivering to `owner`. It is dynamically typed (see
// peer_links_handle): the server hands the quorum peer actor_cast<peer_links_handle>(it)
// and publishes the actor itself.
// It links only to peers that advertise `protocol_version` (peer_protocol_check.hpp).
caf::actor spawn_peer_links(caf::actor_system& sys, const config::server_config& cfg,
                            peer_links_owner_handle owner, snap_stream_actors snap = {},
                            int protocol_version = this_server_peer_protocol_version());

// Publishes `links` on this server's election and quorum ports (cfg.self()), retrying each
// bind electionPortBindRetry times (0: without end) a second apart, as ZooKeeper does.
// It advertises `protocol_version` there (the same `links` was spawned with). Blocking: call
// from the main thread at start. Returns "" or what went wrong.
std::string publish_peer_links(caf::actor_system& sys, const config::server_config& cfg,
                               const caf::actor& links,
                               int protocol_version = this_server_peer_protocol_version());

} // namespace paddock::actors
