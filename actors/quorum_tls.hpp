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
#include <string>

namespace paddock::actors {

// With sslQuorum: checks and copies the stores, points `caf_cfg` at the copies and loads
// CAF's OpenSSL module; to be called before the actor_system is made. "" or what is wrong.
std::string configure_quorum_tls(const config::server_config& cfg,
                                 caf::actor_system_config& caf_cfg);

// The actor that opens and accepts peer connections: the OpenSSL module's when it is loaded
// (sslQuorum), else the middleman's. Both answer publish_atom, connect_atom and close_atom.
caf::io::middleman_actor peer_transport(caf::actor_system& sys);

// Publishes `whom` on `port` through the same module (blocking: the main thread at start).
caf::expected<uint16_t> publish_for_peers(caf::actor_system& sys, const caf::actor& whom,
                                          uint16_t port, const std::string& host);

// With sslQuorumReloadCertFiles: spawns the watcher that renews the copies when the
// operator's files change (and pass the check). A no-op handle otherwise.
caf::actor spawn_quorum_tls_reloader(caf::actor_system& sys, const config::server_config& cfg);

} // namespace paddock::actors
