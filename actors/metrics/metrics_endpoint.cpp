#include "actors/metrics/metrics_endpoint.hpp"

#include "actors/metrics/gauge_families.hpp"
#include "protocol/admin/monitor_values.hpp"

#include <caf/scoped_actor.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

namespace paddock::actors::metrics {

namespace {

constexpr auto ask_timeout = std::chrono::seconds(2);

// Txn log segments (log.<zxid>) in the log directory: each is preallocated, so many of them
// mean a purge is due (autopurge) or snapshots are not being taken.
int64_t log_segments(const std::string& dir) {
  std::error_code ec;
  int64_t n = 0;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    if (it->path().filename().string().rfind("log.", 0) == 0) ++n;
  return n;
}

// The gauges ZooKeeper computes when asked (registerGauge callbacks), computed likewise at
// each scrape: the admin actor gathers them from the store, the watch manager and the
// counters, as for mntr.
class server_gauges : public prometheus::Collectable {
public:
  server_gauges(caf::actor_system& sys, context_ptr ctx, admin_handle admin)
      : sys_(sys), ctx_(std::move(ctx)), admin_(std::move(admin)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<admin::monitor_value> values;
    caf::scoped_actor self{sys_};
    self->request(admin_, ask_timeout, monitor_atom::value)
        .receive(
            [&](admin::server_snapshot& s) {
              if (s.mode != "looking") values = admin::monitor_values(s);
            },
            [&](caf::error&) {}); // a server shutting down: no gauges in this scrape
    auto out = gauge_families(values);
    out.push_back(gauge_family("paddock_log_segments", "txn log segment files in the log directory",
                               static_cast<double>(log_segments(ctx_->config.log_dir()))));
    return out;
  }

private:
  caf::actor_system& sys_;
  context_ptr ctx_;
  admin_handle admin_;
};

std::string bind_address(const std::string& host, int32_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

} // namespace

std::variant<std::unique_ptr<metrics_endpoint>, std::string>
metrics_endpoint::start(caf::actor_system& sys, context_ptr ctx, admin_handle admin) {
  const auto& cfg = ctx->config;
  auto e = std::make_unique<metrics_endpoint>(passkey{});
  e->gauges_ = std::make_shared<server_gauges>(sys, ctx, std::move(admin));
  const auto address = bind_address(cfg.metrics_http_host, cfg.metrics_http_port);
  try {
    e->exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& ex) {
    return "cannot serve /metrics on " + address +
           " (metricsProvider.httpHost / metricsProvider.httpPort): " + ex.what();
  }
  e->exposer_->RegisterCollectable(ctx->metrics->registry());
  e->exposer_->RegisterCollectable(ctx->metrics->summaries());
  e->exposer_->RegisterCollectable(e->gauges_);
  return e;
}

metrics_endpoint::metrics_endpoint(passkey) {}

metrics_endpoint::~metrics_endpoint() = default;

uint16_t metrics_endpoint::port() const {
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : static_cast<uint16_t>(ports.front());
}

} // namespace paddock::actors::metrics
