#pragma once
// Registers and fires watches. Everything the store produces passes through here in the
// store's order: for a commit, the events it triggers go out to their sessions first and
// the origin's reply after; for a read, the watch is registered before the reply goes out.
// Since CAF keeps message order between one sender and one receiver, a session always
// sees a watch event before any read result that reflects the change.
#include "actors/messages/client.hpp"
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"
#include "store/watches/watch_table.hpp"

#include <caf/actor_addr.hpp>
#include <caf/stateful_actor.hpp>
#include <unordered_map>

namespace paddock::actors {

struct watch_manager_state {
  context_ptr ctx;
  store::watch_table table;
  struct watcher_info {
    session_handle session;
    int64_t session_id;
  };
  std::unordered_map<store::watcher_id, watcher_info> sessions;
  std::unordered_map<caf::actor_addr, store::watcher_id> by_actor;
  std::vector<store::fired_event> fired; // reused buffer
  // Frames gathered for each session since the last flush, in order; sent as one message
  // per session when the flush marker the watch manager sent itself comes round.
  std::unordered_map<session_handle, outbound_batch> pending;
  bool flush_scheduled = false;
  static inline const char* name = "paddock.watch_manager";
};

watch_manager_handle::behavior_type
watch_manager(watch_manager_handle::stateful_pointer<watch_manager_state> self, context_ptr ctx);

} // namespace paddock::actors
