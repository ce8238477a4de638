#include "actors/container_sweeper_actor.hpp"

#include "actors/messages/pipeline.hpp"
#include "actors/messages/store.hpp"
#include "protocol/jute/opcodes.hpp"
#include "store/tree/container_sweeper.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <spdlog/spdlog.h>
#include <string>
#include <utility>
#include <vector>

namespace paddock::actors {

namespace {

using self_ptr = container_sweeper_handle::stateful_pointer<container_sweeper_state>;

void propose_delete(self_ptr self, std::string path) {
  spdlog::info("deleting container / expired TTL znode {}", path);
  store::txn t;
  t.type = jute::opcode::delete_container;
  t.session_id = 0; // as ZooKeeper's ContainerManager: no session, nobody to answer
  t.ops.push_back({jute::opcode::delete_container, jute::delete_request{std::move(path), -1}});
  self->send(self->state.ctx->pipeline, write_request{std::move(t), origin{}});
}

void sweep(self_ptr self) {
  auto& st = self->state;
  st.in_flight = true;
  // mtime is the leader's wall clock at stamping, so expiry is measured on the same clock.
  self->request(st.ctx->store, std::chrono::seconds(10), sweep_atom::value,
                st.ctx->clock->wall_ms(), static_cast<uint64_t>(st.per_pass))
      .then(
          [=](std::vector<std::string>& paths) {
            self->state.in_flight = false;
            // Leadership may have moved while the store answered: the new leader sweeps.
            if (!self->state.active) return;
            for (auto& p : paths)
              propose_delete(self, std::move(p));
          },
          [=](caf::error& err) {
            self->state.in_flight = false;
            spdlog::warn("container sweep skipped: {}", caf::to_string(err));
          });
}

} // namespace

container_sweeper_handle::behavior_type container_sweeper_actor(self_ptr self, context_ptr ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  // In an ensemble nobody sweeps until the quorum peer says this server leads (role_atom).
  st.active = !st.ctx->config.is_ensemble();
  st.per_pass = store::sweep_limit_per_pass(st.ctx->config.container_check_interval_ms,
                                            st.ctx->config.container_max_per_minute);
  const auto interval = std::chrono::milliseconds(st.ctx->config.container_check_interval_ms);
  self->delayed_send(self, interval, tick_atom::value);
  return {
      [=](role_atom, bool leading) { self->state.active = leading; },
      [=](tick_atom) {
        // One pass at a time: a slow store skips ticks rather than piling requests up.
        if (self->state.active && !self->state.in_flight) sweep(self);
        self->delayed_send(self, interval, tick_atom::value);
      },
  };
}

} // namespace paddock::actors
