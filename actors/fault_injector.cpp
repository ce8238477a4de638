#include "actors/fault_injector.hpp"

#include "actors/messages/admin.hpp"
#include "actors/messages/ensemble_local.hpp"
#include "protocol/admin/fault_injection.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <memory>
#include <spdlog/spdlog.h>
#include <utility>
#include <vector>

namespace paddock::actors {

namespace {

using self_ptr = fault_injector_handle::stateful_pointer<fault_injector_state>;
using admin::fault_target;
using namespace std::chrono_literals;

constexpr auto ask_timeout = 2s;
// A core actor dies this long after its answer went to the listener: its death stops the
// server, and the answer should leave first.
constexpr auto answer_head_start = 100ms;

// The actor to kill, dynamically typed: only its exit matters.
caf::actor core_actor(const server_context& ctx, fault_target t) {
  using caf::actor_cast;
  switch (t) {
  case fault_target::pipeline: return actor_cast<caf::actor>(ctx.pipeline);
  case fault_target::watch_manager: return actor_cast<caf::actor>(ctx.watch_manager);
  case fault_target::store: return actor_cast<caf::actor>(ctx.store);
  case fault_target::log_writer: return actor_cast<caf::actor>(ctx.log_writer);
  case fault_target::peer_links: return actor_cast<caf::actor>(ctx.peer_links);
  case fault_target::session_tracker: return actor_cast<caf::actor>(ctx.tracker);
  case fault_target::session:
  case fault_target::follower_link:
  case fault_target::next_set_data: break;
  }
  return nullptr;
}

// Asks every session for its id, then kills the one asked for (or one at random among those
// past their handshake).
void kill_session(self_ptr self, admin::fault_request req, std::vector<session_handle> sessions,
                  caf::typed_response_promise<std::string> rp) {
  struct candidate {
    session_handle session;
    int64_t id;
  };
  auto found = std::make_shared<std::vector<candidate>>();
  auto pending = std::make_shared<size_t>(sessions.size());
  auto choose = [=]() mutable {
    std::vector<candidate> matching;
    for (auto& c : *found)
      if (c.id != 0 && (!req.id || *req.id == c.id)) matching.push_back(c);
    if (matching.empty()) {
      rp.deliver(admin::fault_nothing_answer(fault_target::session));
      return;
    }
    std::uniform_int_distribution<size_t> pick(0, matching.size() - 1);
    auto& victim = matching[pick(self->state.random)];
    admin::fault_request killed{fault_target::session, victim.id};
    spdlog::warn("fault injection: killing session 0x{:x}", victim.id);
    self->send_exit(victim.session, caf::exit_reason::kill);
    rp.deliver(admin::fault_killed_answer(killed));
  };
  if (sessions.empty()) {
    choose();
    return;
  }
  for (auto& s : sessions)
    self->request(s, ask_timeout, stats_atom::value)
        .then(
            [=](admin::connection_info& info) mutable {
              found->push_back({s, info.session_id});
              if (--*pending == 0) choose();
            },
            [=](caf::error&) mutable {
              // A session that ended meanwhile is not a candidate.
              if (--*pending == 0) choose();
            });
}

// Ensemble: the quorum peer picks the link (it knows who leads) and peer_links drops it.
void kill_follower_link(self_ptr self, admin::fault_request req,
                        caf::typed_response_promise<std::string> rp) {
  const auto& ctx = *self->state.ctx;
  if (!ctx.config.is_ensemble() || !ctx.quorum_peer) {
    rp.deliver(admin::fault_nothing_answer(fault_target::follower_link));
    return;
  }
  self->request(ctx.quorum_peer, ask_timeout, drop_link_atom::value,
                req.id.value_or(zab::no_server))
      .then(
          [=](zab::server_id dropped) mutable {
            if (dropped == zab::no_server)
              rp.deliver(admin::fault_nothing_answer(fault_target::follower_link));
            else
              rp.deliver(admin::fault_killed_answer({fault_target::follower_link, dropped}));
          },
          [=](caf::error& err) mutable {
            rp.deliver("fault injection failed: " + self->system().render(err) + "\n");
          });
}

} // namespace

fault_injector_handle::behavior_type fault_injector(self_ptr self, context_ptr ctx) {
  self->state.ctx = std::move(ctx);
  return {
      [=](fault_atom, const std::string& line,
          std::vector<session_handle>& sessions) -> caf::result<std::string> {
        auto parsed = admin::parse_fault_command(line);
        if (!parsed.request) return parsed.error;
        const auto req = *parsed.request;
        if (req.target == fault_target::session) {
          auto rp = self->make_response_promise<std::string>();
          kill_session(self, req, std::move(sessions), rp);
          return rp;
        }
        if (req.target == fault_target::follower_link) {
          auto rp = self->make_response_promise<std::string>();
          kill_follower_link(self, req, rp);
          return rp;
        }
        if (req.target == fault_target::next_set_data) {
          // The store diverges on its next setData (store_actor.cpp, corrupt_atom).
          auto rp = self->make_response_promise<std::string>();
          self->request(self->state.ctx->store, ask_timeout, corrupt_atom::value)
              .then([=](bool) mutable { rp.deliver(admin::fault_killed_answer(req)); },
                    [=](caf::error& err) mutable {
                      rp.deliver("fault injection failed: " + self->system().render(err) + "\n");
                    });
          return rp;
        }
        auto victim = core_actor(*self->state.ctx, req.target);
        if (!victim) return admin::fault_nothing_answer(req.target);
        self->delayed_send(self, answer_head_start, kill_now_atom::value, std::move(victim),
                           std::string(admin::fault_target_name(req.target)));
        return admin::fault_killed_answer(req);
      },
      [=](kill_now_atom, const caf::actor& victim, const std::string& name) {
        spdlog::warn("fault injection: killing {}", name);
        self->send_exit(victim, caf::exit_reason::kill);
      },
  };
}

} // namespace paddock::actors
