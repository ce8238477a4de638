#include "actors/proposal_pipeline.hpp"

#include "actors/messages/sessions.hpp"
#include "actors/messages/store.hpp"
#include "store/disk/txn_codec.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace paddock::actors {

namespace {

using self_ptr = pipeline_handle::stateful_pointer<pipeline_state>;

// Sends the store every pending entry up to `zxid`, in order: commits in batches, syncs in
// their place between them. With `failed`, the commits go as failed.
void release(self_ptr self, int64_t zxid, bool failed) {
  auto& st = self->state;
  commit_batch batch;
  auto send_batch = [&] {
    if (batch.commits.empty()) return;
    self->send(st.ctx->store, std::move(batch));
    batch.commits.clear();
  };
  while (!st.pending.empty() && st.pending.front().zxid <= zxid) {
    auto& item = st.pending.front().item;
    if (auto* c = std::get_if<commit>(&item)) {
      c->failed = failed;
      // A session expiry that could not be logged is tried again by the tracker.
      if (failed && c->txn.type == jute::opcode::close_session && !c->from.session)
        self->send(st.ctx->tracker, retry_close_atom::value, c->txn.session_id);
      batch.commits.push_back(std::move(*c));
    } else {
      send_batch();
      self->send(st.ctx->store, std::move(std::get<sync_request>(item)));
    }
    st.pending.pop_front();
  }
  send_batch();
}

} // namespace

pipeline_handle::behavior_type proposal_pipeline(self_ptr self, context_ptr ctx,
                                                 int64_t last_zxid) {
  self->state.ctx = std::move(ctx);
  self->state.last_zxid = last_zxid;
  self->state.durable_zxid = last_zxid;
  return {
      [=](write_request& w) {
        auto& st = self->state;
        metrics::record_mailbox_depth(self, st.ctx->metrics->mailbox_depth.proposal_pipeline);
        w.txn.zxid = ++st.last_zxid;
        w.txn.time_ms = st.ctx->clock->wall_ms();
        std::string body;
        store::encode_txn(w.txn, body);
        self->send(st.ctx->log_writer, log_append{st.generation, w.txn.zxid, std::move(body)});
        st.pending.push_back({w.txn.zxid, commit{std::move(w.txn), std::move(w.from), false}});
      },
      [=](sync_request& s) {
        auto& st = self->state;
        if (st.pending.empty())
          self->send(st.ctx->store, std::move(s));
        else
          st.pending.push_back({st.last_zxid, std::move(s)});
      },
      [=](logged& l) {
        auto& st = self->state;
        metrics::record_mailbox_depth(self, st.ctx->metrics->mailbox_depth.proposal_pipeline);
        if (l.generation != st.generation) return;
        st.durable_zxid = l.zxid;
        release(self, l.zxid, false);
      },
      [=](log_failed& f) {
        auto& st = self->state;
        if (f.generation != st.generation) return;
        spdlog::warn("failing {} writes: {}", st.last_zxid - f.durable_zxid, f.reason);
        st.durable_zxid = f.durable_zxid;
        release(self, st.last_zxid, true);
        st.last_zxid = f.durable_zxid;
        ++st.generation;
      },
  };
}

} // namespace paddock::actors
