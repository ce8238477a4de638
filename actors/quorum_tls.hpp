#pragma once
// TLS between servers (sslQuorum=true) on CAF's OpenSSL module. CAF builds a fresh OpenSSL
// context at every peer connection from the file names in actor_system_config, and aborts
// the process when a file is unusable then. So the server checks the operator's key and
// trust stores and gives CAF private copies (in <dataDir>/paddock-quorum-tls, mode 0700),
// replaced (by rename) only by files that passed the same check: with
// sslQuorumReloadCertFiles=true a watcher looks at the operator's files once a second and
// renews the copies, which the next peer connection uses; links already up keep their session.
#include "config/zoo_config.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman_actor.hpp>
#include <set>
#include <string>

namespace paddock::actors {

// With sslQuorum or portUnification: checks and copies the stores, points `caf_cfg` at the
// copies and loads CAF's OpenSSL module (and notes whether this server's own peer connections
// use it: sslQuorum); to be called before the actor_system is made. "" or what is wrong.
std::string configure_quorum_tls(const config::server_config& cfg,
                                 caf::actor_system_config& caf_cfg);

// Whether this server's own peer connections use TLS (sslQuorum=true).
bool peer_links_use_tls(const caf::actor_system& sys);

// The actor that opens this server's peer connections (connect_atom): the OpenSSL module's
// with sslQuorum, else the middleman's.
caf::io::middleman_actor peer_transport(caf::actor_system& sys);

// The actor that listens for peers (publish_atom, close_atom): with portUnification the one
// that takes TLS and plaintext on each port (actors/peer_port_unification), else the OpenSSL
// module's (sslQuorum) or the middleman's. Dynamically typed: all answer those two the same.
caf::actor peer_listener(caf::actor_system& sys);

// Publishes `whom` on `port` through peer_listener, advertising `signatures` to every peer
// that connects (blocking: the main thread at start).
caf::expected<uint16_t> publish_for_peers(caf::actor_system& sys, const caf::actor& whom,
                                          uint16_t port, const std::string& host,
                                          const std::set<std::string>& signatures);

// With sslQuorumReloadCertFiles: spawns the watcher that renews the copies when the
// operator's files change (and pass the check). A no-op handle otherwise.
caf::actor spawn_quorum_tls_reloader(caf::actor_system& sys, const config::server_config& cfg);

} // namespace paddock::actors
