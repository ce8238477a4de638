#include "actors/watch_manager.hpp"

#include "protocol/jute/codec.hpp"
#include "store/requests/request_processor.hpp"
#include "store/watches/watch_requests.hpp"

#include <caf/all.hpp>

namespace paddock::actors {

namespace {

using self_ptr = watch_manager_handle::stateful_pointer<watch_manager_state>;

// ZooKeeper 3.8 sends every notification with zxid -1 in its ReplyHeader.
constexpr int64_t notification_zxid = -1;

void remember(self_ptr self, store::watcher_id id, const session_handle& session,
              int64_t session_id) {
  auto& st = self->state;
  if (st.sessions.emplace(id, watch_manager_state::watcher_info{session, session_id}).second) {
    st.by_actor.emplace(session.address(), id);
    self->monitor(session);
  }
}

// Queues a frame for `session`. The first frame after a flush schedules the next flush: a
// message to ourselves, which arrives after everything already in the mailbox, so a busy
// watch manager sends one message per session per mailbox drain instead of one per frame.
void queue(self_ptr self, const session_handle& session, outbound item) {
  auto& st = self->state;
  st.pending[session].items.push_back(std::move(item));
  if (!st.flush_scheduled) {
    st.flush_scheduled = true;
    self->send(self, flush_atom::value);
  }
}

void flush(self_ptr self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  for (auto& [session, batch] : st.pending)
    self->send(session, std::move(batch));
  st.pending.clear();
}

void queue_event(self_ptr self, const session_handle& session, const jute::watcher_event& e) {
  outbound item;
  jute::encode_event(item.frame, notification_zxid, e);
  queue(self, session, std::move(item));
}

// Sends the events of `fired` to their sessions.
void deliver(self_ptr self, std::vector<store::fired_event>& fired) {
  auto& st = self->state;
  for (const auto& f : fired) {
    auto it = st.sessions.find(f.watcher);
    if (it != st.sessions.end()) queue_event(self, it->second.session, f.event);
  }
  fired.clear();
}

void register_watch(store::watch_table& table, const store::watch_registration& r,
                    store::watcher_id w) {
  switch (r.kind) {
  case store::watch_kind::data: table.add_data_watch(r.path, w); break;
  case store::watch_kind::child: table.add_child_watch(r.path, w); break;
  case store::watch_kind::persistent:
    table.add_persistent_watch(r.path, w, store::watch_mode::persistent);
    break;
  case store::watch_kind::persistent_recursive:
    table.add_persistent_watch(r.path, w, store::watch_mode::persistent_recursive);
    break;
  case store::watch_kind::none: break;
  }
}

} // namespace

watch_manager_handle::behavior_type watch_manager(self_ptr self, context_ptr ctx) {
  self->state.ctx = std::move(ctx);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    auto it = st.by_actor.find(dm.source);
    if (it == st.by_actor.end()) return;
    st.table.remove_watcher(it->second);
    st.sessions.erase(it->second);
    st.by_actor.erase(it);
  });
  return {
      [=](applied& a) {
        auto& st = self->state;
        metrics::record_mailbox_depth(self, st.ctx->metrics->mailbox_depth.watch_manager);
        // The events this change triggers go out before the origin's reply: that order, and
        // the store's single stream into here, is the watch guarantee.
        for (const auto& t : a.triggers)
          st.table.trigger(t, st.fired);
        deliver(self, st.fired);
        if (a.from.session)
          queue(self, a.from.session,
                outbound{std::move(a.reply), true, true, a.zxid, a.opcode, a.failed});
      },
      [=](read_done& d) {
        auto& st = self->state;
        metrics::record_mailbox_depth(self, st.ctx->metrics->mailbox_depth.watch_manager);
        if (!d.from.session) return;
        for (const auto& e : d.fire_now)
          queue_event(self, d.from.session, e);
        if (d.query) {
          auto err = store::run_watch_query(st.table, *d.query, d.watcher);
          store::encode_watch_query_reply(d.reply, *d.query, d.zxid, err);
        }
        if (!d.registrations.empty()) {
          remember(self, d.watcher, d.from.session, d.session_id);
          st.table.set_auth(d.watcher, std::move(d.auth));
          for (const auto& r : d.registrations)
            register_watch(st.table, r, d.watcher);
        }
        queue(self, d.from.session, outbound{std::move(d.reply), true, false, d.zxid, 0});
      },
      [=](flush_atom) { flush(self); },
      // Everything queued so far goes out now: the asker acts only after it has.
      [=](drain_atom) -> bool {
        flush(self);
        return true;
      },
      [=](auth_changed& c) {
        // A watcher with no watch yet gets its identities with its first registration.
        auto& st = self->state;
        if (st.sessions.count(c.watcher)) st.table.set_auth(c.watcher, std::move(c.auth));
      },
      [=](stats_atom, bool with_listings) -> watch_stats {
        auto& st = self->state;
        watch_stats s;
        s.watch_count = st.table.watch_count();
        s.data_watch_count = st.table.data_watch_count();
        s.watched_paths = st.table.watched_paths();
        s.watchers = st.table.watcher_count();
        if (with_listings) {
          auto session_of = [&](store::watcher_id w) {
            auto it = st.sessions.find(w);
            return it == st.sessions.end() ? int64_t{0} : it->second.session_id;
          };
          for (auto& [w, paths] : st.table.by_watcher())
            s.by_session.emplace_back(session_of(w), std::move(paths));
          for (auto& [p, ws] : st.table.by_path()) {
            std::vector<int64_t> ids;
            for (auto w : ws)
              ids.push_back(session_of(w));
            s.by_path.emplace_back(std::move(p), std::move(ids));
          }
        }
        return s;
      },
  };
}

} // namespace paddock::actors
