#pragma once
// ZooKeeper's PrometheusMetricsProvider endpoint: GET /metrics on metricsProvider.httpHost:
// metricsProvider.httpPort answers Prometheus' text format 0.0.4. It runs on prometheus-cpp's
// Exposer (civetweb threads, outside the actor system). A scrape collects
//   - the gauges, asked from the admin actor at that moment (the same figures as mntr; none
//     while the server looks for a leader, as ZooKeeper's server gauges are unregistered then),
//   - the summaries and counters the actors record into server_metrics,
//   - Paddock's own gauges, prefixed paddock_,
//   - prometheus-cpp's exposer_* figures about the endpoint itself.
#include "actors/messages/admin.hpp"
#include "actors/server_context.hpp"

#include <caf/actor_system.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>

namespace prometheus {
class Exposer;
class Collectable;
} // namespace prometheus

namespace paddock::actors::metrics {

class metrics_endpoint {
public:
  // Listens as ctx->config's metricsProvider.* keys say; the error names the keys and says
  // why when it cannot (an address in use, an address that is not this host's).
  static std::variant<std::unique_ptr<metrics_endpoint>, std::string>
  start(caf::actor_system& sys, context_ptr ctx, admin_handle admin);

  struct passkey { // only start() constructs one
  private:
    friend class metrics_endpoint;
    passkey() = default;
  };
  explicit metrics_endpoint(passkey);
  ~metrics_endpoint(); // stops listening; no scrape runs afterwards
  metrics_endpoint(const metrics_endpoint&) = delete;
  metrics_endpoint& operator=(const metrics_endpoint&) = delete;

  uint16_t port() const;

private:
  std::shared_ptr<prometheus::Collectable> gauges_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

} // namespace paddock::actors::metrics
