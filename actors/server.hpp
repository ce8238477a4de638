#pragma once
// Starts one standalone Paddock server: builds the actor system with an explicit CAF
// configuration, spawns and wires the actors, binds the client port, and supervises: if a
// core actor (pipeline, store, watch manager, tracker, listener) dies the server does not
// limp on with a piece missing — it stops and exits non-zero.
#include "config/zoo_config.hpp"

namespace paddock::actors {

// What the command line adds to zoo.cfg.
struct run_options {
  // Test-only: answer `kill <target>` commands on the client port by killing that actor
  // (actors/fault_injector.hpp). Off, the bytes are a bad frame as for any other server.
  bool fault_injection = false;
};

// Runs until SIGINT/SIGTERM (returns 0) or a fatal failure (returns non-zero).
int run_server(const config::server_config& cfg, const run_options& options = {});

} // namespace paddock::actors
