#include "actors/messages/held_size.hpp"

#include <string>
#include <type_traits>
#include <vector>

namespace paddock::actors {

// The fixed charges must cover at least the memory they stand for, or the bound would be
// looser than it says.
static_assert(sizeof(std::variant<zab::message, app_message>) + sizeof(uint64_t) <=
              held_message_bytes);
static_assert(sizeof(zab::txn) + sizeof(std::string) + 2 * sizeof(void*) <= held_txn_bytes);

namespace {

// What a message carries beyond its slot, one overload per kind of content.

// A message with no content of its own (commit, ack, ping, sync_snap, forward_sync, ...). A
// new message type that holds a string or a vector fails here until it is given its own
// overload: it would otherwise be charged as if it carried nothing.
template <class T> uint64_t carried(const T&) {
  static_assert(std::is_trivially_copyable_v<T>, "charge what this message carries");
  return 0;
}

uint64_t carried(const zab::ensemble& e) {
  return e.text.size() + e.members.size() * held_member_bytes;
}

uint64_t carried(const std::vector<zab::txn>& txns) {
  uint64_t bytes = 0;
  for (const auto& t : txns) {
    bytes += held_txn_bytes + t.payload.size();
    if (t.config) bytes += carried(*t.config);
  }
  return bytes;
}

uint64_t carried(const zab::proposal& m) {
  return carried(m.txns);
}
uint64_t carried(const zab::inform& m) {
  return carried(m.txns);
}
uint64_t carried(const zab::notification& m) {
  return carried(m.config);
}
uint64_t carried(const zab::new_leader& m) {
  return carried(m.config);
}
uint64_t carried(const zab::up_to_date& m) {
  return carried(m.config);
}

uint64_t carried(const forward_writes& m) {
  uint64_t bytes = 0;
  for (const auto& w : m.txns)
    bytes += held_txn_bytes + w.size();
  return bytes;
}
uint64_t carried(const tree_digest_report& m) {
  return m.digests.size() * held_digest_entry_bytes;
}
uint64_t carried(const session_touches& m) {
  return m.ids.size() * held_session_id_bytes;
}

} // namespace

uint64_t held_size(const zab::message& m) {
  return held_message_bytes + std::visit([](const auto& x) { return carried(x); }, m);
}

uint64_t held_size(const app_message& m) {
  return held_message_bytes + std::visit([](const auto& x) { return carried(x); }, m);
}

uint64_t held_size(const std::variant<zab::message, app_message>& m) {
  return std::visit([](const auto& x) { return held_size(x); }, m);
}

} // namespace paddock::actors
