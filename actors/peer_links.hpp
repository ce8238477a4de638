#pragma once
// The connections of one ensemble member to the others (CAF's distributed transport, BASP).
// One peer_links actor per server; it is published on both of ZooKeeper's ports (election
// and quorum) and connects to the same actor of every other server, monitors it (never
// links), and reconnects with backoff while a peer is down.
//
// Contract with its owner (quorum_peer):
//   owner -> links   (zab_out_atom, server_id to, uint64_t generation, zab::message)
//                    (app_out_atom, server_id to, uint64_t generation, app_message)
//   links -> owner   (zab_in_atom, server_id from, zab::message)
//                    (app_in_atom, server_id from, app_message)
//                    (link_down_atom, server_id peer, uint64_t generation)
// Test-only (fault injection), from the owner:
//                    (drop_link_atom, std::vector<server_id> candidates) -> server_id
//                    drops the link to one of the candidates whose link is up, chosen at
//                    random, as if its connection broke; answers its id or no_server.
// Link generations keep ZAB's rule "between two servers messages arrive in order, or not at
// all once the connection broke, and the core hears of the break before anything sent
// later": each peer has a generation, raised whenever its connection is lost or a message to
// it is dropped for want of one, and the owner is told the new value. A message sent with an
// older generation than the current one is dropped: the owner had not yet heard of the break
// when it sent it. Between two live servers everything travels on one CAF connection, so the
// two kinds of messages keep their relative order.
#include "actors/ensemble_messages.hpp"
#include "config/zoo_config.hpp"
#include "protocol/zab/messages.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <cstdint>
#include <string>

namespace paddock::actors {

using zab_out_atom = caf::atom_constant<caf::atom("zabout")>;
using zab_in_atom = caf::atom_constant<caf::atom("zabin")>;
using app_out_atom = caf::atom_constant<caf::atom("appout")>;
using app_in_atom = caf::atom_constant<caf::atom("appin")>;
using link_down_atom = caf::atom_constant<caf::atom("linkdown")>;
using drop_link_atom = caf::atom_constant<caf::atom("droplink")>;

// Spawns the actor for `cfg`'s ensemble, delivering to `owner`.
caf::actor spawn_peer_links(caf::actor_system& sys, const config::server_config& cfg,
                            caf::actor owner);

// Publishes `links` on this server's election and quorum ports (cfg.self()), retrying each
// bind electionPortBindRetry times (0: without end) a second apart, as ZooKeeper does.
// Blocking: call from the main thread at start. Returns "" or what went wrong.
std::string publish_peer_links(caf::actor_system& sys, const config::server_config& cfg,
                               const caf::actor& links);

} // namespace paddock::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::zab::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::app_message)
