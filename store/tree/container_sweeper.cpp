#include "store/tree/container_sweeper.hpp"

#include "store/tree/create_mode.hpp"

#include <algorithm>
#include <cstdint>

namespace paddock::store {

std::vector<std::string> sweep_candidates(const data_tree& tree, int64_t now_ms, size_t limit) {
  std::vector<std::string> out;
  jute::stat st;
  for (auto& path : tree.containers()) {
    if (out.size() >= limit) return out;
    if (tree.exists(path, st) != error_code::ok || st.num_children != 0) continue;
    // With no children the client-visible cversion is twice the stored one: > 0 exactly
    // when a child was ever created.
    if (st.cversion > 0) out.push_back(std::move(path));
  }
  for (auto& path : tree.ttl_nodes()) {
    if (out.size() >= limit) return out;
    if (tree.exists(path, st) != error_code::ok || st.num_children != 0) continue;
    if (ttl_expired(tree.ttl_of(path), st.mtime, now_ms)) out.push_back(std::move(path));
  }
  return out;
}

size_t sweep_limit_per_pass(int64_t check_interval_ms, int64_t max_per_minute) {
  if (check_interval_ms <= 0 || max_per_minute <= 0) return 1;
  // Ceiling of max_per_minute * interval / 60000 without overflow for sane inputs.
  long double per_pass = static_cast<long double>(max_per_minute) *
                         static_cast<long double>(check_interval_ms) / 60000.0L;
  if (per_pass >= static_cast<long double>(SIZE_MAX / 2)) return SIZE_MAX / 2;
  auto n = static_cast<size_t>(per_pass);
  if (static_cast<long double>(n) < per_pass) ++n;
  return std::max<size_t>(n, 1);
}

} // namespace paddock::store
