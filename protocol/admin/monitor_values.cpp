#include "protocol/admin/monitor_values.hpp"

#include <charconv>
#include <cmath>

namespace paddock::admin {

namespace {

// ZooKeeper rounds a mean to 4 decimals (AvgMinMaxCounter.getAvg, HALF_UP) before printing.
double four_decimal_mean(double v) {
  return std::round(v * 10000.0) / 10000.0;
}

// "zk_peer_state" as QuorumPeer.getDetailedPeerState: "<state> - <zab phase>". mntr answers
// only while the server serves clients, which an ensemble member does in the broadcast phase.
std::string peer_state(const std::string& mode) {
  if (mode == "leader") return "leading - broadcast";
  if (mode == "follower") return "following - broadcast";
  if (mode == "observer") return "observing - broadcast";
  return {};
}

} // namespace

std::vector<monitor_value> monitor_values(const server_snapshot& s) {
  std::vector<monitor_value> out;
  auto add = [&](std::string key, monitor_value::value_type v) {
    out.push_back({std::move(key), std::move(v)});
  };
  auto count = [](uint64_t v) { return static_cast<int64_t>(v); };
  add("version", s.version);
  add("server_state", s.mode);
  if (s.quorum_size)
    if (auto ps = peer_state(s.mode); !ps.empty()) add("peer_state", ps);
  add("avg_latency", four_decimal_mean(s.avg_latency_ms));
  add("max_latency", s.max_latency_ms);
  add("min_latency", s.min_latency_ms);
  add("packets_received", count(s.packets_received));
  add("packets_sent", count(s.packets_sent));
  add("num_alive_connections", s.alive_connections);
  add("outstanding_requests", s.outstanding_requests);
  add("uptime", s.uptime_ms);
  add("znode_count", count(s.node_count));
  add("watch_count", count(s.watch_count));
  add("ephemerals_count", count(s.ephemerals_count));
  add("approximate_data_size", count(s.approximate_data_size));
  add("global_sessions", count(s.global_sessions));
  // Only a read-only server makes local sessions; every other Paddock session is global.
  add("local_sessions", s.local_sessions);
  if (s.open_file_descriptors >= 0) add("open_file_descriptor_count", s.open_file_descriptors);
  if (s.max_file_descriptors >= 0) add("max_file_descriptor_count", s.max_file_descriptors);
  if (s.quorum_size) add("quorum_size", *s.quorum_size);
  // ZooKeeper's ServerMetrics counter, present whether or not digests are on, as there.
  add("digest_mismatches_count", count(s.digest_mismatches));
  // Paddock's own (ZooKeeper's mntr has no such key): the digest of the tree and the zxid it
  // is the digest after, read together, so that servers at the same zxid can be compared.
  // The digest as text: it is an identity, not a quantity (a double would round it).
  if (s.digest) {
    add("tree_digest", std::to_string(*s.digest));
    add("tree_digest_zxid", s.zxid);
  }
  if (s.leader) {
    const auto& l = *s.leader;
    add("learners", l.learners);
    add("synced_followers", l.synced_followers);
    add("synced_non_voting_followers", l.synced_non_voting_followers);
    add("synced_observers", l.synced_observers);
    add("pending_syncs", l.pending_syncs);
    add("leader_uptime", l.uptime_ms);
    add("last_proposal_size", l.last_proposal_size);
    add("max_proposal_size", l.max_proposal_size);
    add("min_proposal_size", l.min_proposal_size);
  }
  return out;
}

std::string format_monitor_value(const monitor_value::value_type& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::get<double>(v));
  std::string text(buf, ec == std::errc{} ? end : buf);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0"; // Java: "450.0"
  return text;
}

std::string format_mntr(const std::vector<monitor_value>& values) {
  std::string out;
  for (const auto& v : values) {
    out += "zk_";
    out += v.key;
    out += '\t';
    out += format_monitor_value(v.value);
    out += '\n';
  }
  return out;
}

} // namespace paddock::admin
