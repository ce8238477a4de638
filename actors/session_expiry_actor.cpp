#include "actors/session_expiry_actor.hpp"

#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/pipeline.hpp"
#include "protocol/jute/opcodes.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <random>
#include <spdlog/spdlog.h>
#include <utility>

namespace paddock::actors {

namespace {

using self_ptr = session_expiry_handle::stateful_pointer<session_expiry_state>;

void send_close(self_ptr self, int64_t id) {
  store::txn t;
  t.type = jute::opcode::close_session;
  t.session_id = id;
  self->send(self->state.ctx->pipeline, write_request{std::move(t), origin{}});
}

void expire_due(self_ptr self) {
  auto& st = self->state;
  for (auto id : st.expiry.expire(st.ctx->clock->monotonic_ms())) {
    spdlog::info("expiring session 0x{:x}", id);
    auto it = st.sessions.find(id);
    if (it != st.sessions.end()) {
      if (it->second.owner) self->send(it->second.owner, expire_atom::value);
      it->second.owner = nullptr;
      it->second.closing = true; // forgotten when its closeSession is applied
    }
    send_close(self, id);
  }
  for (auto id : std::exchange(st.close_retries, {}))
    send_close(self, id);
}

void count_local(self_ptr self) {
  auto& st = self->state;
  st.ctx->stats->local_sessions.store(static_cast<int64_t>(st.local.size()),
                                      std::memory_order_relaxed);
}

// Local sessions end at their deadline without a txn: none made them.
void expire_local(self_ptr self) {
  auto& st = self->state;
  for (auto id : st.local_expiry.expire(st.ctx->clock->monotonic_ms())) {
    spdlog::info("expiring local session 0x{:x}", id);
    if (auto it = st.local.find(id); it != st.local.end()) {
      if (it->second.owner) self->send(it->second.owner, expire_atom::value);
      st.local.erase(it);
    }
  }
  count_local(self);
}

int64_t next_id(self_ptr self) {
  auto& st = self->state;
  while (st.sessions.contains(st.next_session_id) || st.local.contains(st.next_session_id))
    ++st.next_session_id; // a restored session has it
  return st.next_session_id++;
}

} // namespace

session_expiry_handle::behavior_type
session_expiry_actor(self_ptr self, context_ptr ctx, std::vector<store::session_entry> recovered) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.expiry = store::session_expiry{st.ctx->config.tick_time_ms};
  st.local_expiry = store::session_expiry{st.ctx->config.tick_time_ms};
  st.next_session_id =
      store::initial_session_id(st.ctx->config.server_id, st.ctx->clock->wall_ms());
  st.secret = std::random_device{}() | (uint64_t{std::random_device{}()} << 32);
  // In an ensemble nobody expires anything until the role is known (role_atom).
  st.expires = !st.ctx->config.is_ensemble();
  for (auto& s : recovered) {
    st.sessions[s.id] = {session_handle{}, std::move(s.passwd), s.timeout_ms};
    if (st.expires) st.expiry.add(s.id, s.timeout_ms, st.ctx->clock->monotonic_ms());
  }
  if (!recovered.empty())
    spdlog::info("{} sessions restored; each expires in its timeout unless its client returns",
                 recovered.size());
  // Ticks every half tickTime: expiry buckets are a tick wide, and a learner relays the
  // sessions it saw alive twice per tick (ZooKeeper's learners ping every half tick).
  const auto tick = std::chrono::milliseconds(std::max(1, st.ctx->config.tick_time_ms / 2));
  self->delayed_send(self, tick, tick_atom::value);
  return {
      [=](new_session_atom, int32_t timeout_ms,
          session_handle& owner) -> caf::result<int64_t, std::string> {
        auto& s = self->state;
        auto id = next_id(self);
        auto passwd = store::session_password(id, s.secret);
        s.sessions[id] = {std::move(owner), passwd, timeout_ms};
        if (s.expires)
          s.expiry.add(id, timeout_ms, s.ctx->clock->monotonic_ms());
        else
          s.touched.push_back(id);
        return {id, std::move(passwd)};
      },
      [=](reattach_atom, int64_t id, const std::string& passwd, int32_t timeout_ms,
          session_handle& owner) -> caf::result<bool, std::string> {
        auto& s = self->state;
        auto it = s.sessions.find(id);
        // A closing session is as good as expired (ZooKeeper's SessionTracker refuses a
        // session marked closing too).
        if (it == s.sessions.end() || it->second.closing) return {false, std::string{}};
        // As ZooKeeper does, the connection that holds the session now is dropped as soon
        // as another one claims the session, before the password is checked.
        if (it->second.owner && it->second.owner != owner)
          self->send(it->second.owner, moved_atom::value);
        if (it->second.passwd != passwd) {
          it->second.owner = nullptr;
          return {false, std::string{}};
        }
        it->second.owner = std::move(owner);
        it->second.timeout_ms = timeout_ms;
        if (s.expires)
          s.expiry.add(id, timeout_ms, s.ctx->clock->monotonic_ms());
        else
          s.touched.push_back(id);
        return {true, it->second.passwd};
      },
      [=](new_local_atom, int32_t timeout_ms,
          session_handle& owner) -> caf::result<int64_t, std::string> {
        auto& s = self->state;
        auto id = next_id(self);
        auto passwd = store::session_password(id, s.secret);
        s.local[id] = {std::move(owner), passwd, timeout_ms};
        s.local_expiry.add(id, timeout_ms, s.ctx->clock->monotonic_ms());
        count_local(self);
        return {id, std::move(passwd)};
      },
      [=](reattach_local_atom, int64_t id, const std::string& passwd, int32_t timeout_ms,
          session_handle& owner) -> caf::result<int32_t, std::string> {
        auto& s = self->state;
        auto answer = [](local_reattach r) { return static_cast<int32_t>(r); };
        auto it = s.local.find(id);
        if (it == s.local.end()) {
          const bool ensemble = s.sessions.contains(id) && !s.sessions.at(id).closing;
          return {answer(ensemble ? local_reattach::of_ensemble : local_reattach::invalid),
                  std::string{}};
        }
        // As for a session of the ensemble: the connection holding it is dropped first.
        if (it->second.owner && it->second.owner != owner)
          self->send(it->second.owner, moved_atom::value);
        if (it->second.passwd != passwd) {
          it->second.owner = nullptr;
          return {answer(local_reattach::invalid), std::string{}};
        }
        it->second.owner = std::move(owner);
        it->second.timeout_ms = timeout_ms;
        s.local_expiry.add(id, timeout_ms, s.ctx->clock->monotonic_ms());
        return {answer(local_reattach::valid), it->second.passwd};
      },
      [=](read_only_atom, bool on) {
        auto& s = self->state;
        if (on || s.local.empty()) return;
        // Their clients' connections are closed by the listener; they reconnect to a
        // read-write server, where these sessions never existed.
        spdlog::info("read-only mode is over: {} local sessions forgotten", s.local.size());
        s.local.clear();
        s.local_expiry = store::session_expiry{s.ctx->config.tick_time_ms};
        count_local(self);
      },
      [=](touch_atom, int64_t id) {
        auto& s = self->state;
        if (s.local.contains(id)) {
          s.local_expiry.touch(id, s.ctx->clock->monotonic_ms());
          return;
        }
        if (s.expires)
          s.expiry.touch(id, s.ctx->clock->monotonic_ms());
        else
          s.touched.push_back(id);
      },
      // Leader: sessions a learner saw alive.
      [=](touches_atom, const std::vector<int64_t>& ids) {
        auto& s = self->state;
        if (!s.expires) return;
        for (auto id : ids)
          s.expiry.touch(id, s.ctx->clock->monotonic_ms());
      },
      // Ensemble: this server leads (and expires sessions) or not. A new leader gives every
      // session its whole timeout from now, as ZooKeeper's does.
      [=](role_atom, bool leading) {
        auto& s = self->state;
        if (leading == s.expires) return;
        s.expires = leading;
        s.expiry = store::session_expiry{s.ctx->config.tick_time_ms};
        s.touched.clear();
        // A close this server sent while it led may never have committed; whether the
        // session lives is now the tree's word, and the leader's to change. So every
        // session the tree holds starts afresh — a new leader expires it again in time.
        for (auto& [id, info] : s.sessions) {
          info.closing = false;
          if (leading) s.expiry.add(id, info.timeout_ms, s.ctx->clock->monotonic_ms());
        }
      },
      // Ensemble: the store applied a createSession / closeSession of any server.
      [=](session_up_atom, int64_t id, int32_t timeout_ms, const std::string& passwd) {
        auto& s = self->state;
        auto [it, added] = s.sessions.try_emplace(
            id, session_expiry_state::session_info{session_handle{}, passwd, timeout_ms});
        if (added && s.expires) s.expiry.add(id, timeout_ms, s.ctx->clock->monotonic_ms());
      },
      [=](session_down_atom, int64_t id) {
        auto& s = self->state;
        auto it = s.sessions.find(id);
        if (it == s.sessions.end()) return;
        if (it->second.owner) self->send(it->second.owner, expire_atom::value);
        s.sessions.erase(it);
        s.expiry.remove(id);
      },
      // Ensemble: the tree was replaced (SNAP, or a reload after TRUNC).
      [=](session_list& list) {
        auto& s = self->state;
        std::unordered_map<int64_t, session_expiry_state::session_info> next;
        for (auto& e : list.sessions) {
          auto old = s.sessions.find(e.id);
          session_handle owner = old != s.sessions.end() ? old->second.owner : session_handle{};
          next[e.id] = {std::move(owner), std::move(e.passwd), e.timeout_ms};
        }
        for (auto& [id, info] : s.sessions)
          if (!next.contains(id) && info.owner) self->send(info.owner, expire_atom::value);
        s.sessions = std::move(next);
        s.expiry = store::session_expiry{s.ctx->config.tick_time_ms};
        if (s.expires)
          for (const auto& [id, info] : s.sessions)
            s.expiry.add(id, info.timeout_ms, s.ctx->clock->monotonic_ms());
      },
      [=](forget_atom, int64_t id) {
        // The client closes its session: the closeSession txn is already on its way. The
        // session is forgotten when it is applied (session_down), not before: see `closing`.
        auto& s = self->state;
        s.expiry.remove(id);
        if (auto it = s.sessions.find(id); it != s.sessions.end()) {
          it->second.owner = nullptr;
          it->second.closing = true;
        }
      },
      [=](unborn_atom, int64_t id) {
        // Its createSession was never logged, so no close will ever be applied for it; or a
        // local session its client closed.
        auto& s = self->state;
        s.expiry.remove(id);
        s.sessions.erase(id);
        if (s.local.erase(id) > 0) {
          s.local_expiry.remove(id);
          count_local(self);
        }
      },
      [=](retry_close_atom, int64_t id) { self->state.close_retries.push_back(id); },
      [=](dump_atom) { return self->state.expiry.buckets(); },
      [=](tick_atom) {
        auto& s = self->state;
        if (!s.local.empty()) expire_local(self);
        if (s.expires) {
          expire_due(self);
        } else if (!s.touched.empty()) {
          std::sort(s.touched.begin(), s.touched.end());
          s.touched.erase(std::unique(s.touched.begin(), s.touched.end()), s.touched.end());
          self->send(s.ctx->quorum_peer, touches_atom::value, std::exchange(s.touched, {}));
        }
        self->delayed_send(self, tick, tick_atom::value);
      },
  };
}

} // namespace paddock::actors
