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
  if (recent_.size() > recent_limit) {
    forgotten_ = recent_.front().first;
    recent_.pop_front();
  }
  if (zxid % history_interval == 0) {
    history_.emplace_back(zxid, digest);
    if (history_.size() > history_limit) history_.pop_front();
  }
  std::optional<digest_mismatch> found;
  while (!waiting_.empty() && waiting_.front().first <= zxid) {
    // One for a zxid this server never applied (it jumped over it) cannot be compared.
    if (waiting_.front().first == zxid) found = compare(zxid, waiting_.front().second, digest);
    waiting_.pop_front();
  }
  return found;
}

void digest_log::leader_digest(int64_t zxid, int64_t digest, digest_comparison& out) {
  if (zxid <= floor_) return;
  if (recent_.empty() || zxid > recent_.back().first) {
    if ((waiting_.empty() || zxid > waiting_.back().first) && waiting_.size() < waiting_limit)
      waiting_.emplace_back(zxid, digest);
    return;
  }
  auto it = std::lower_bound(recent_.begin(), recent_.end(), zxid,
                             [](const auto& e, int64_t z) { return e.first < z; });
  if (it == recent_.end() || it->first != zxid) return;
  if (auto m = compare(zxid, digest, it->second)) {
    ++out.mismatches;
    if (!out.first) out.first = m;
  }
}

digest_comparison digest_log::leader_digests(std::span<const std::pair<int64_t, int64_t>> entries) {
  digest_comparison out;
  for (const auto& [zxid, digest] : entries)
    leader_digest(zxid, digest, out);
  return out;
}

void digest_log::tree_replaced(int64_t zxid) {
  recent_.clear();
  waiting_.clear();
  floor_ = zxid;
  forgotten_ = -1; // what this tree's txns were is not this server's to report
}

digest_report digest_log::since(int64_t zxid) const {
  digest_report out;
  auto it = std::upper_bound(recent_.begin(), recent_.end(), zxid,
                             [](int64_t z, const auto& e) { return z < e.first; });
  out.entries.assign(it, recent_.end());
  out.dropped_oldest = forgotten_ > zxid;
  return out;
}

} // namespace paddock::store
