#include "actors/watch_manager.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/messages.hpp"
#include "protocol/jute/codec.hpp"

namespace paddock::actors {

namespace {

using self_ptr = caf::stateful_actor<watch_manager_state>*;

// ZooKeeper 3.8 sends every notification with zxid -1 in its ReplyHeader.
constexpr int64_t notification_zxid = -1;

void remember(self_ptr self, store::watcher_id id, const caf::actor& session,
              int64_t session_id) {
  auto& st = self->state;
  if (st.sessions.emplace(id, watch_manager_state::watcher_info{session, session_id}).second) {
    st.by_actor.emplace(session.address(), id);
    self->monitor(session);
  }
}

// Sends the events of `fired` to their sessions, one message per session.
void deliver(self_ptr self, std::vector<store::fired_event>& fired) {
  auto& st = self->state;
  if (fired.empty())
    return;
  // Keep each session's events in trigger order while grouping them per session.
  std::stable_sort(fired.begin(), fired.end(),
                   [](const auto& a, const auto& b) { return a.watcher < b.watcher; });
  for (size_t i = 0; i < fired.size();) {
    auto w = fired[i].watcher;
    events_ready ev;
    for (; i < fired.size() && fired[i].watcher == w; ++i)
      jute::encode_event(ev.frames, notification_zxid, fired[i].event);
    auto it = st.sessions.find(w);
    if (it != st.sessions.end())
      self->send(it->second.session, std::move(ev));
  }
  fired.clear();
}

} // namespace

caf::behavior watch_manager(caf::stateful_actor<watch_manager_state>* self, context_ptr ctx) {
  self->state.ctx = std::move(ctx);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    auto it = st.by_actor.find(dm.source);
    if (it == st.by_actor.end())
      return;
    st.table.remove_watcher(it->second);
    st.sessions.erase(it->second);
    st.by_actor.erase(it);
  });
  return {
      [=](applied& a) {
        auto& st = self->state;
        for (const auto& t : a.triggers)
          st.table.trigger(t, st.fired);
        deliver(self, st.fired);
        if (a.from.session)
          self->send(a.from.session, reply_ready{std::move(a.reply), a.zxid, true, a.opcode});
      },
      [=](read_done& d) {
        auto& st = self->state;
        if (!d.fire_now.empty() && d.from.session) {
          events_ready ev;
          for (const auto& e : d.fire_now)
            jute::encode_event(ev.frames, notification_zxid, e);
          self->send(d.from.session, std::move(ev));
        }
        if (!d.registrations.empty() && d.from.session) {
          remember(self, d.watcher, d.from.session, d.session_id);
          for (const auto& r : d.registrations) {
            if (r.kind == store::watch_kind::data)
              st.table.add_data_watch(r.path, d.watcher);
            else if (r.kind == store::watch_kind::child)
              st.table.add_child_watch(r.path, d.watcher);
          }
        }
        if (d.from.session)
          self->send(d.from.session, reply_ready{std::move(d.reply), d.zxid, false, 0});
      },
      [=](stats_atom, bool with_listings) {
        auto& st = self->state;
        watch_stats s;
        s.watch_count = st.table.watch_count();
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
