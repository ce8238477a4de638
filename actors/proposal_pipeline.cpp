#include "actors/proposal_pipeline.hpp"

#include "actors/messages.hpp"

#include <caf/all.hpp>
#include <chrono>

namespace paddock::actors {

namespace {
int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
} // namespace

caf::behavior proposal_pipeline(caf::stateful_actor<pipeline_state>* self, context_ptr ctx,
                                int64_t last_zxid) {
  self->state.ctx = std::move(ctx);
  self->state.last_zxid = last_zxid;
  return {
      [=](write_request& w) {
        auto& st = self->state;
        w.txn.zxid = ++st.last_zxid;
        w.txn.time_ms = wall_clock_ms();
        self->send(st.ctx->store, commit{std::move(w.txn), std::move(w.from)});
      },
      [=](sync_request& s) { self->send(self->state.ctx->store, std::move(s)); },
  };
}

} // namespace paddock::actors
