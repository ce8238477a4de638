#include "actors/metrics/server_metrics.hpp"

#include <chrono>
#include <string>

namespace paddock::actors::metrics {

namespace {

// The Java client's defaults, which ZooKeeper's provider keeps: a 10-minute window in 5 buckets.
constexpr auto summary_window = std::chrono::minutes(10);
constexpr int summary_age_buckets = 5;

// ZooKeeper's provider names each metric and uses the name as its help text too.
prometheus::Summary& summary(prometheus::Registry& r, const std::string& name, bool advanced) {
  prometheus::Summary::Quantiles q = {{0.5, 0.05}};
  if (advanced) q = {{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}};
  return prometheus::BuildSummary().Name(name).Help(name).Register(r).Add({}, q, summary_window,
                                                                          summary_age_buckets);
}

// The quantiles of ZooKeeper's ADVANCED summaries.
std::vector<double> advanced_quantiles() {
  return {0.5, 0.9, 0.99};
}

prometheus::Counter& counter(prometheus::Registry& r, const std::string& name) {
  return prometheus::BuildCounter().Name(name).Help(name).Register(r).Add({});
}

server_metrics::mailbox_depths mailbox_gauges(prometheus::Registry& r) {
  auto& family = prometheus::BuildGauge()
                     .Name("paddock_mailbox_depth")
                     .Help("messages waiting in the actor's mailbox when it last took one")
                     .Register(r);
  return {family.Add({{"actor", "store"}}), family.Add({{"actor", "quorum_peer"}}),
          family.Add({{"actor", "proposal_pipeline"}}), family.Add({{"actor", "log_writer"}}),
          family.Add({{"actor", "watch_manager"}})};
}

} // namespace

void size_stats::record(int64_t size) {
  last_.store(size, std::memory_order_relaxed);
  auto cur = min_.load(std::memory_order_relaxed);
  while ((cur < 0 || size < cur) &&
         !min_.compare_exchange_weak(cur, size, std::memory_order_relaxed)) {
  }
  cur = max_.load(std::memory_order_relaxed);
  while (size > cur && !max_.compare_exchange_weak(cur, size, std::memory_order_relaxed)) {
  }
}

bucketed_summary& per_op_summaries::add(std::string name, std::vector<double> quantiles) {
  return summaries_
      .emplace_back(
          std::piecewise_construct, std::forward_as_tuple(std::move(name)),
          std::forward_as_tuple(std::move(quantiles), summary_window, summary_age_buckets))
      .second;
}

std::vector<prometheus::MetricFamily> per_op_summaries::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  for (const auto& [name, summary] : summaries_) {
    const auto now = summary.read();
    prometheus::ClientMetric metric;
    metric.summary.sample_count = now.count;
    metric.summary.sample_sum = now.sum;
    for (const auto& [q, value] : now.quantiles)
      metric.summary.quantile.push_back({q, value});
    families.push_back({name, name, prometheus::MetricType::Summary, {std::move(metric)}});
  }
  return families;
}

server_metrics::server_metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      summaries_(std::make_shared<per_op_summaries>()),
      readlatency(summaries_->add("readlatency", advanced_quantiles())),
      updatelatency(summaries_->add("updatelatency", advanced_quantiles())),
      fsynctime(summary(*registry_, "fsynctime", false)),
      sync_processor_batch_size(summary(*registry_, "sync_processor_batch_size", false)),
      snapshottime(summary(*registry_, "snapshottime", false)),
      dbinittime(summary(*registry_, "dbinittime", false)),
      startup_txns_loaded(summary(*registry_, "startup_txns_loaded", false)),
      election_time(summary(*registry_, "election_time", false)),
      follower_sync_time(summary(*registry_, "follower_sync_time", false)),
      observer_sync_time(summary(*registry_, "observer_sync_time", false)),
      propagation_latency(summaries_->add("propagation_latency", advanced_quantiles())),
      quorum_ack_latency(summaries_->add("quorum_ack_latency", advanced_quantiles())),
      commit_propagation_latency(
          summaries_->add("commit_propagation_latency", advanced_quantiles())),
      looking_count(counter(*registry_, "looking_count")),
      diff_count(counter(*registry_, "diff_count")), snap_count(counter(*registry_, "snap_count")),
      proposal_count(counter(*registry_, "proposal_count")),
      commit_count(counter(*registry_, "commit_count")), mailbox_depth(mailbox_gauges(*registry_)) {
}

} // namespace paddock::actors::metrics
