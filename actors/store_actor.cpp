#include "actors/store_actor.hpp"

#include "actors/messages.hpp"
#include "protocol/jute/codec.hpp"
#include "store/request_processor.hpp"

#include <caf/all.hpp>

namespace paddock::actors {

caf::behavior store_actor(caf::stateful_actor<store_state>* self, context_ptr ctx) {
  self->state.ctx = std::move(ctx);
  return {
      [=](commit& c) {
        auto& st = self->state;
        auto result = st.tree.apply(c.txn);
        st.ctx->stats->last_applied_zxid.store(st.tree.last_zxid(), std::memory_order_relaxed);
        applied a;
        a.zxid = c.txn.zxid;
        a.opcode = c.txn.type;
        a.triggers = std::move(result.triggers);
        if (c.from.session && c.txn.type != jute::opcode::create_session)
          store::encode_write_reply(a.reply, c.from.xid, c.txn.type, result, c.txn.zxid);
        a.from = std::move(c.from);
        self->send(st.ctx->watch_manager, std::move(a));
      },
      [=](sync_request& s) {
        // Every write before this sync has been applied: answer it in the same stream.
        auto& st = self->state;
        applied a;
        a.zxid = st.tree.last_zxid();
        a.opcode = jute::opcode::sync;
        store::encode_sync_reply(a.reply, s.from.xid, a.zxid, s.path);
        a.from = std::move(s.from);
        self->send(st.ctx->watch_manager, std::move(a));
      },
      [=](read_request& r) {
        auto& st = self->state;
        read_done d;
        store::watch_registration reg;
        std::span<const jute::id> auth;
        if (r.auth) auth = *r.auth;
        store::execute_read(st.tree, r.request, r.session_id, auth, d.reply, reg);
        if (reg.kind != store::watch_kind::none) d.registrations.push_back(std::move(reg));
        d.zxid = st.tree.last_zxid();
        d.watcher = r.watcher;
        d.session_id = r.session_id;
        d.from = std::move(r.from);
        self->send(st.ctx->watch_manager, std::move(d));
      },
      [=](set_watches_request& r) {
        auto& st = self->state;
        auto outcome = store::evaluate_set_watches(st.tree, r.request);
        read_done d;
        jute::encode_reply(d.reply,
                           jute::reply_header{jute::xid::set_watches, st.tree.last_zxid(), 0});
        d.registrations = std::move(outcome.register_now);
        d.fire_now = std::move(outcome.fire_now);
        d.zxid = st.tree.last_zxid();
        d.watcher = r.watcher;
        d.session_id = r.session_id;
        d.from = std::move(r.from);
        self->send(st.ctx->watch_manager, std::move(d));
      },
      [=](stats_atom) {
        const auto& t = self->state.tree;
        return tree_stats{t.last_zxid(), t.zookeeper_node_count(), t.ephemeral_count(),
                          t.approximate_data_size(), t.session_count()};
      },
  };
}

} // namespace paddock::actors
