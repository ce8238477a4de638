#include "store/sessions/session_expiry.hpp"

#include "protocol/bytes/byte_order.hpp"

#include <algorithm>

namespace paddock::store {

void session_expiry::add(int64_t session_id, int32_t timeout_ms, int64_t now_ms) {
  remove(session_id);
  const int64_t deadline = round_up(now_ms + timeout_ms);
  sessions_.emplace(session_id, entry{timeout_ms, deadline});
  buckets_[deadline].insert(session_id);
}

bool session_expiry::touch(int64_t session_id, int64_t now_ms) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return false;
  const int64_t deadline = round_up(now_ms + it->second.timeout_ms);
  // As ZooKeeper's ExpiryQueue.update: a touch within the same bucket costs nothing.
  if (deadline == it->second.deadline) return true;
  auto old = buckets_.find(it->second.deadline);
  if (old != buckets_.end()) {
    old->second.erase(session_id);
    if (old->second.empty()) buckets_.erase(old);
  }
  it->second.deadline = deadline;
  buckets_[deadline].insert(session_id);
  return true;
}

void session_expiry::remove(int64_t session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return;
  auto b = buckets_.find(it->second.deadline);
  if (b != buckets_.end()) {
    b->second.erase(session_id);
    if (b->second.empty()) buckets_.erase(b);
  }
  sessions_.erase(it);
}

std::vector<int64_t> session_expiry::expire(int64_t now_ms) {
  std::vector<int64_t> out;
  while (!buckets_.empty() && buckets_.begin()->first <= now_ms) {
    auto node = buckets_.extract(buckets_.begin());
    for (auto id : node.mapped()) {
      out.push_back(id);
      sessions_.erase(id);
    }
  }
  return out;
}

std::vector<std::pair<int64_t, std::vector<int64_t>>> session_expiry::buckets() const {
  std::vector<std::pair<int64_t, std::vector<int64_t>>> out;
  for (const auto& [deadline, ids] : buckets_) {
    std::vector<int64_t> sorted(ids.begin(), ids.end());
    std::sort(sorted.begin(), sorted.end());
    out.emplace_back(deadline, std::move(sorted));
  }
  return out;
}

int64_t session_expiry::next_deadline() const {
  return buckets_.empty() ? -1 : buckets_.begin()->first;
}

int32_t session_expiry::timeout_of(int64_t session_id) const {
  auto it = sessions_.find(session_id);
  return it == sessions_.end() ? 0 : it->second.timeout_ms;
}

int64_t initial_session_id(int64_t server_id, int64_t now_ms) {
  // Java: ((time << 24) >>> 8) | (sid << 56) — the unsigned shift keeps the top byte free
  // for the server id.
  const uint64_t t = (static_cast<uint64_t>(now_ms) << 24) >> 8;
  auto id = static_cast<int64_t>(t | (static_cast<uint64_t>(server_id) << 56));
  // ZooKeeper marks container nodes with this owner; no session may have it.
  if (id == INT64_MIN) ++id;
  return id;
}

namespace {
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
} // namespace

std::string session_password(int64_t session_id, uint64_t secret) {
  // Not cryptographic, like ZooKeeper's own (a java.util.Random seeded with id ^ secret),
  // but it does depend on a secret the client never sees.
  uint64_t state = static_cast<uint64_t>(session_id) ^ secret;
  std::string out(16, '\0');
  for (int half = 0; half < 2; ++half) {
    bytes::store_le64(out.data() + half * 8, splitmix64(state));
  }
  return out;
}

} // namespace paddock::store
