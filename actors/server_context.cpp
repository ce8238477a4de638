#include "actors/server_context.hpp"

namespace paddock::actors {

void server_stats::record_latency(uint64_t us) {
  latency_count.fetch_add(1, std::memory_order_relaxed);
  latency_total_us.fetch_add(us, std::memory_order_relaxed);
  auto cur = latency_min_us.load(std::memory_order_relaxed);
  while (us < cur && !latency_min_us.compare_exchange_weak(cur, us, std::memory_order_relaxed)) {
  }
  cur = latency_max_us.load(std::memory_order_relaxed);
  while (us > cur && !latency_max_us.compare_exchange_weak(cur, us, std::memory_order_relaxed)) {
  }
}

void server_stats::reset() {
  packets_received = 0;
  packets_sent = 0;
  latency_count = 0;
  latency_total_us = 0;
  latency_min_us = UINT64_MAX;
  latency_max_us = 0;
}

void server_stats::set_membership(std::string text) {
  std::lock_guard lock(membership_mutex_);
  membership_ = std::move(text);
}

std::string server_stats::membership() const {
  std::lock_guard lock(membership_mutex_);
  return membership_;
}

} // namespace paddock::actors
