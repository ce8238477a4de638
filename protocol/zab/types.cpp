#include "protocol/zab/types.hpp"

#include "protocol/zab/messages.hpp"

namespace paddock::zab {

const char* to_string(role r) {
  switch (r) {
  case role::looking: return "looking";
  case role::following: return "following";
  case role::leading: return "leading";
  case role::observing: return "observing";
  }
  return "unknown";
}

std::size_t ensemble::voter_count() const {
  std::size_t n = 0;
  for (const auto& [id, votes] : members)
    n += votes ? 1 : 0;
  return n;
}

std::vector<server_id> ensemble::voters() const {
  std::vector<server_id> out;
  for (const auto& [id, votes] : members)
    if (votes) out.push_back(id);
  return out;
}

std::vector<server_id> ensemble::all() const {
  std::vector<server_id> out;
  for (const auto& [id, votes] : members)
    out.push_back(id);
  return out;
}

const char* message_name(const message& m) {
  static constexpr const char* names[] = {
      "notification", "learner_info", "leader_info", "ack_epoch",  "sync_diff",
      "sync_trunc",   "sync_snap",    "new_leader",  "up_to_date", "proposal",
      "ack",          "commit",       "inform",      "ping",       "read_round"};
  return names[m.index()];
}

} // namespace paddock::zab
