#include "actors/metrics/gauge_families.hpp"

#include <variant>

namespace paddock::actors::metrics {

prometheus::MetricFamily gauge_family(const std::string& name, const std::string& help,
                                      double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric m;
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
  return f;
}

namespace {

// mntr keys that are counters in ZooKeeper's ServerMetrics (SimpleCounter).
bool is_counter(const std::string& key) {
  return key == "digest_mismatches_count";
}

} // namespace

std::vector<prometheus::MetricFamily>
gauge_families(const std::vector<admin::monitor_value>& values) {
  std::vector<prometheus::MetricFamily> out;
  for (const auto& v : values) {
    if (const auto* i = std::get_if<int64_t>(&v.value); i && is_counter(v.key)) {
      auto f = gauge_family(v.key, v.key, 0);
      f.type = prometheus::MetricType::Counter;
      f.metric.front().gauge = {};
      f.metric.front().counter.value = static_cast<double>(*i);
      out.push_back(std::move(f));
    } else if (i) {
      out.push_back(gauge_family(v.key, v.key, static_cast<double>(*i)));
    } else if (const auto* d = std::get_if<double>(&v.value)) {
      out.push_back(gauge_family(v.key, v.key, *d));
    }
  }
  return out;
}

} // namespace paddock::actors::metrics
