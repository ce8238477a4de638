#pragma once
// Answers four-letter words: gathers what they report from the store, the watch manager,
// the sessions and the shared counters, and formats it with protocol/admin.
#include "actors/messages/admin.hpp"
#include "actors/server_context.hpp"

namespace paddock::actors {

// Handles (stats_atom, std::string word, std::vector<session_handle> sessions) -> std::string.
admin_handle::behavior_type admin_actor(admin_handle::pointer self, context_ptr ctx);

} // namespace paddock::actors
