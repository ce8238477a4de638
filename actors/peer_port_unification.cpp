#include "actors/peer_port_unification.hpp"

#include "actors/peer_port_front.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/manager.hpp>
#include <chrono>
#include <map>
#include <set>
#include <spdlog/spdlog.h>

namespace paddock::actors {

namespace {

using namespace std::chrono_literals;
// The middleman actors open a socket and answer: no remote party is involved.
constexpr auto internal_timeout = 10s;
const std::string internal_host = "127.0.0.1";

using route = peer_port_front::route;

struct unification_state {
  std::shared_ptr<peer_port_front> front;
  std::map<uint16_t, route> routes; // public port -> its internal ports
  static inline const char* name = "paddock.peer_port_unification";
};

using self_ptr = caf::stateful_actor<unification_state>*;

// Both middleman actors hand their acceptors to the one BASP broker, which closes an
// acceptor by its port whichever module opened it: the plaintext middleman closes both.
void close_internal(self_ptr self, route r, caf::response_promise promise) {
  auto mm = self->system().middleman().actor_handle();
  auto left = std::make_shared<int>(0);
  for (uint16_t port : {r.plaintext_port, r.tls_port})
    if (port != 0) ++*left;
  if (*left == 0) {
    promise.deliver(caf::unit);
    return;
  }
  for (uint16_t port : {r.plaintext_port, r.tls_port}) {
    if (port == 0) continue;
    self->request(mm, internal_timeout, caf::close_atom::value, port)
        .then(
            [=]() mutable {
              if (--*left == 0) promise.deliver(caf::unit);
            },
            [=](caf::error& err) mutable {
              spdlog::debug("closing the internal peer port {}: {}", port,
                            self->system().render(err));
              if (--*left == 0) promise.deliver(caf::unit);
            });
  }
}

// Publishes `whom` on a free internal port through `transport`, then `next(port)`; on
// failure closes what `opened` says is open already and answers the error.
template <class Next>
void publish_internal(self_ptr self, const caf::io::middleman_actor& transport,
                      const caf::strong_actor_ptr& whom, const std::set<std::string>& sigs,
                      route opened, caf::response_promise promise, Next next) {
  self->request(transport, internal_timeout, caf::publish_atom::value, uint16_t{0}, whom, sigs,
                internal_host, true)
      .then([=](uint16_t port) mutable { next(port); },
            [=](caf::error& err) mutable {
              close_internal(self, opened, caf::response_promise{}); // answers no one
              promise.deliver(std::move(err));
            });
}

caf::response_promise publish(self_ptr self, uint16_t port, caf::strong_actor_ptr whom,
                              std::set<std::string> sigs, std::string host) {
  auto promise = self->make_response_promise();
  auto& sys = self->system();
  const auto plain = sys.middleman().actor_handle();
  const auto secure = sys.openssl_manager().actor_handle();
  publish_internal(self, plain, whom, sigs, route{}, promise, [=](uint16_t plaintext_port) mutable {
    const route opened{plaintext_port, 0};
    publish_internal(self, secure, whom, sigs, opened, promise, [=](uint16_t tls_port) mutable {
      const route r{plaintext_port, tls_port};
      if (auto error = self->state.front->open(host, port, r); !error.empty()) {
        close_internal(self, r, caf::response_promise{}); // answers no one
        promise.deliver(caf::make_error(caf::sec::cannot_open_port,
                                        host + ":" + std::to_string(port) + ": " + error));
        return;
      }
      self->state.routes[port] = r;
      spdlog::info("peer port {}:{} takes TLS and plaintext peers (portUnification; inside: "
                   "plaintext {}:{}, TLS {}:{})",
                   host, port, internal_host, plaintext_port, internal_host, tls_port);
      promise.deliver(port);
    });
  });
  return promise;
}

caf::behavior unification(self_ptr self, std::shared_ptr<peer_port_front> front) {
  self->state.front = std::move(front);
  auto& sys = self->system();
  self->attach_functor([&sys] { sys.registry().erase(peer_port_unification_name()); });
  // The server stops when this actor does: a stray message or error is logged, never fatal.
  self->set_default_handler(
      [](caf::scheduled_actor* me, caf::message_view& x) -> caf::result<caf::message> {
        spdlog::debug("unified peer ports: unexpected message {}", x.content().stringify());
        if (me->current_message_id().is_request())
          return caf::make_error(caf::sec::unexpected_message);
        return caf::message{};
      });
  self->set_error_handler([](caf::error& err) {
    spdlog::debug("unified peer ports: error message {}", caf::to_string(err));
  });
  return {
      [=](caf::publish_atom, uint16_t port, caf::strong_actor_ptr& whom,
          std::set<std::string>& sigs, std::string& host,
          bool) { return publish(self, port, std::move(whom), std::move(sigs), std::move(host)); },
      [=](caf::close_atom, uint16_t port) {
        // peer_links asks at shutdown (a request: it waits until the ports are closed) and
        // tells on a reconfig (a send): an answer to a send would reach it as a stray
        // message.
        auto promise = self->current_message_id().is_request() ? self->make_response_promise()
                                                               : caf::response_promise{};
        auto it = self->state.routes.find(port);
        if (it == self->state.routes.end()) {
          promise.deliver(caf::unit); // not open here: nothing to close
          return promise;
        }
        const route r = it->second;
        self->state.routes.erase(it);
        self->state.front->close(port);
        close_internal(self, r, promise);
        return promise;
      },
  };
}

} // namespace

caf::atom_value peer_port_unification_name() {
  return caf::atom("PeerPorts");
}

std::variant<caf::actor, std::string>
start_peer_port_unification(caf::actor_system& sys, const config::server_config& cfg,
                            std::shared_ptr<const clock::source> clock) {
  if (!cfg.quorum_tls.port_unification) return caf::actor{};
  if (!sys.has_openssl_manager()) return std::string("CAF's OpenSSL module is not loaded");
  auto started =
      peer_port_front::start(std::move(clock), cfg.quorum_tls.handshake_detection_timeout_ms);
  if (auto* error = std::get_if<std::string>(&started)) return *error;
  std::shared_ptr<peer_port_front> front = std::move(std::get<0>(started));
  auto actor = sys.spawn(unification, std::move(front));
  sys.registry().put(peer_port_unification_name(), caf::actor_cast<caf::strong_actor_ptr>(actor));
  return actor;
}

} // namespace paddock::actors
