#pragma once
// portUnification=true: the election and quorum ports take TLS and plaintext peers alike,
// for a rolling upgrade of a plaintext ensemble to sslQuorum (or back). This actor answers
// what peer_links asks of a transport to listen, (publish_atom, port, whom, signatures,
// host, reuse) -> port and (close_atom, port), as CAF's middleman actors do; for each port it
// publishes peer_links on two internal ports of 127.0.0.1, one through CAF's plaintext
// middleman and one through its OpenSSL module, and has peer_port_front accept on the public
// port and splice each connection to the one its first bytes ask for. Outgoing connections
// are not its business: they follow sslQuorum (actors/quorum_tls peer_transport).
// It is found through the actor system's registry (quorum_tls' peer_listener), so that
// peer_links needs no handle of its own, and removes itself from there when it stops.
#include "config/zoo_config.hpp"
#include "protocol/clock/source.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <memory>
#include <string>
#include <variant>

namespace paddock::actors {

// The registry's name for it.
caf::atom_value peer_port_unification_name();

// With portUnification: starts the front's thread and spawns the actor, registered under
// peer_port_unification_name(); or says why not. Without: a null handle.
std::variant<caf::actor, std::string>
start_peer_port_unification(caf::actor_system& sys, const config::server_config& cfg,
                            std::shared_ptr<const clock::source> clock);

} // namespace paddock::actors
