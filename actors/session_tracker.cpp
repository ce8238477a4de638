#include "actors/session_tracker.hpp"

#include "actors/messages.hpp"
#include "protocol/jute/opcodes.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <random>
#include <spdlog/spdlog.h>
#include <utility>

namespace paddock::actors {

namespace {

using self_ptr = caf::stateful_actor<tracker_state>*;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void send_close(self_ptr self, int64_t id) {
  store::txn t;
  t.type = jute::opcode::close_session;
  t.session_id = id;
  self->send(self->state.ctx->pipeline, write_request{std::move(t), origin{}});
}

void expire_due(self_ptr self) {
  auto& st = self->state;
  for (auto id : st.expiry.expire(now_ms())) {
    spdlog::info("expiring session 0x{:x}", id);
    auto it = st.sessions.find(id);
    if (it != st.sessions.end()) {
      if (it->second.owner) self->send(it->second.owner, expire_atom::value);
      st.sessions.erase(it);
    }
    send_close(self, id);
  }
  for (auto id : std::exchange(st.close_retries, {}))
    send_close(self, id);
}

} // namespace

caf::behavior session_tracker(caf::stateful_actor<tracker_state>* self, context_ptr ctx,
                              std::vector<store::session_entry> recovered) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.expiry = store::session_expiry{st.ctx->config.tick_time_ms};
  st.next_session_id = store::initial_session_id(st.ctx->config.server_id, wall_ms());
  st.secret = std::random_device{}() | (uint64_t{std::random_device{}()} << 32);
  for (auto& s : recovered) {
    st.sessions[s.id] = {nullptr, std::move(s.passwd)};
    st.expiry.add(s.id, s.timeout_ms, now_ms());
  }
  if (!recovered.empty())
    spdlog::info("{} sessions restored; each expires in its timeout unless its client returns",
                 recovered.size());
  const auto tick = std::chrono::milliseconds(st.ctx->config.tick_time_ms);
  self->delayed_send(self, tick, tick_atom::value);
  return {
      [=](new_session_atom, int32_t timeout_ms, caf::actor& owner) {
        auto& s = self->state;
        while (s.sessions.contains(s.next_session_id)) // a restored session has it
          ++s.next_session_id;
        auto id = s.next_session_id++;
        auto passwd = store::session_password(id, s.secret);
        s.sessions[id] = {std::move(owner), passwd};
        s.expiry.add(id, timeout_ms, now_ms());
        return caf::make_message(id, std::move(passwd));
      },
      [=](reattach_atom, int64_t id, const std::string& passwd, int32_t timeout_ms,
          caf::actor& owner) {
        auto& s = self->state;
        auto it = s.sessions.find(id);
        if (it == s.sessions.end()) return caf::make_message(false, std::string{});
        // As ZooKeeper does, the connection that holds the session now is dropped as soon
        // as another one claims the session, before the password is checked.
        if (it->second.owner && it->second.owner != owner)
          self->send(it->second.owner, moved_atom::value);
        if (it->second.passwd != passwd) {
          it->second.owner = nullptr;
          return caf::make_message(false, std::string{});
        }
        it->second.owner = std::move(owner);
        s.expiry.add(id, timeout_ms, now_ms());
        return caf::make_message(true, it->second.passwd);
      },
      [=](touch_atom, int64_t id) { self->state.expiry.touch(id, now_ms()); },
      [=](forget_atom, int64_t id) {
        // The client closes its session: the closeSession txn is already on its way.
        self->state.expiry.remove(id);
        self->state.sessions.erase(id);
      },
      [=](retry_close_atom, int64_t id) { self->state.close_retries.push_back(id); },
      [=](tick_atom) {
        expire_due(self);
        self->delayed_send(self, tick, tick_atom::value);
      },
  };
}

} // namespace paddock::actors
