#include "store/tree/digest_log.hpp"

#include <algorithm>

namespace paddock::store {

std::optional<digest_mismatch> digest_log::compare(int64_t zxid, int64_t leader, int64_t own) {
  ++compared_;
  if (leader == own) return std::nullopt;
  return digest_mismatch{zxid, leader, own};
}

std::optional<digest_mismatch> digest_log::applied(int64_t zxid, int64_t digest) {
  recent_.emplace_back(zxid, digest);
  if (recent_.size() > recent_limit) recent_.pop_front();
  if (zxid % history_interval == 0) {
    history_.emplace_back(zxid, digest);
    if (history_.size() > history_limit) history_.pop_front();
  }
  std::optional<digest_mismatch> found;
  while (!waiting_.empty() && waiting_.front().first <= zxid) {
    // One for a zxid this server never applied (it came in a snapshot) cannot be compared.
    if (waiting_.front().first == zxid && !found)
      found = compare(zxid, waiting_.front().second, digest);
    waiting_.pop_front();
  }
  return found;
}

std::optional<digest_mismatch> digest_log::leader_digest(int64_t zxid, int64_t digest) {
  if (recent_.empty() || zxid > recent_.back().first) {
    if (waiting_.empty() || zxid > waiting_.back().first) {
      if (waiting_.size() < waiting_limit) waiting_.emplace_back(zxid, digest);
    }
    return std::nullopt;
  }
  auto it = std::lower_bound(recent_.begin(), recent_.end(), zxid,
                             [](const auto& e, int64_t z) { return e.first < z; });
  if (it == recent_.end() || it->first != zxid) return std::nullopt;
  return compare(zxid, digest, it->second);
}

void digest_log::tree_replaced() {
  recent_.clear();
  waiting_.clear();
}

} // namespace paddock::store
