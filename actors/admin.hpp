#pragma once
// Answers four-letter words: gathers what they report from the store, the watch manager,
// the sessions and the shared counters, and formats it with protocol/admin.
#include "actors/server_context.hpp"

#include <caf/event_based_actor.hpp>

namespace paddock::actors {

// Handles (stats_atom, std::string word, std::vector<caf::actor> sessions) -> std::string.
caf::behavior admin_actor(caf::event_based_actor* self, context_ptr ctx);

} // namespace paddock::actors
