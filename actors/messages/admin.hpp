#pragma once
// Administration: four-letter words, the test-only fault injector's `kill` lines, and the
// server's own stop signal.
//   listener -> admin           (stats_atom, std::string word, std::vector<session_handle>
//                               sessions) -> std::string answer
//   metrics endpoint, AdminServer -> admin
//                               (monitor_atom) -> admin::server_snapshot: mntr's figures
//                               (protocol/admin/monitor_values.hpp makes the list of them)
//   listener -> fault injector  (fault_atom, std::string command line,
//                               std::vector<session_handle> sessions) -> std::string answer
//   fault injector -> itself    (kill_now_atom, caf::actor victim, std::string name): a core
//                               actor dies a moment after its answer left
//   signal thread -> server     (stop_atom, int signal)
// The figures they gather come as tree_stats and watch_stats (store.hpp) and
// admin::connection_info (client.hpp's session_handle).
#include "actors/messages/client.hpp"
#include "actors/messages/common.hpp"
#include "actors/messages/registry.hpp"
#include "protocol/admin/server_snapshot.hpp"

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <string>
#include <vector>

namespace paddock::actors {

using fault_atom = caf::atom_constant<caf::atom("fault")>;
using kill_now_atom = caf::atom_constant<caf::atom("killnow")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using monitor_atom = caf::atom_constant<caf::atom("monitor")>;

// The admin actor (actors/admin.hpp).
using admin_handle = caf::typed_actor<
    caf::replies_to<stats_atom, std::string, std::vector<session_handle>>::with<std::string>,
    caf::replies_to<monitor_atom>::with<admin::server_snapshot>>;

// The fault injector (actors/fault_injector.hpp). The victim of kill_now is dynamically
// typed: it is any of the core actors, and only its exit matters.
using fault_injector_handle = caf::typed_actor<
    caf::replies_to<fault_atom, std::string, std::vector<session_handle>>::with<std::string>,
    caf::reacts_to<kill_now_atom, caf::actor, std::string>>;

} // namespace paddock::actors
