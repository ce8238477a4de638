#pragma once
// mntr's figures as an ordered list of keys and typed values: mntr prints them as
// "zk_<key>\t<value>" lines, the AdminServer's `monitor` command as JSON fields. The keys and
// their order follow ZooKeeper 3.8 (dumpMonitorValues, then the gauges of
// ZooKeeperServer/QuorumZooKeeperServer/LeaderZooKeeperServer.registerMetrics); a figure
// Paddock cannot compute is left out rather than printed as a constant.
#include "protocol/admin/server_snapshot.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace paddock::admin {

struct monitor_value {
  // A count or size (printed as an integer), a mean (printed as Java prints a double:
  // "0.0", "1.25"), or a word (version, server state).
  using value_type = std::variant<int64_t, double, std::string>;
  std::string key; // without mntr's "zk_" prefix: "znode_count"
  value_type value;
};

// The figures of `s`, in mntr's order. Leader keys (learners, synced_followers, ...) only
// when s.leader is set; quorum_size and peer_state only in an ensemble.
std::vector<monitor_value> monitor_values(const server_snapshot& s);

// A value as mntr prints it: integers in decimal, doubles as Java's Double.toString does
// for the values ZooKeeper reports (at least one decimal: "0.0", "450.0", "0.4286").
std::string format_monitor_value(const monitor_value::value_type& v);

// mntr's whole answer: one "zk_<key>\t<value>\n" line per value.
std::string format_mntr(const std::vector<monitor_value>& values);

} // namespace paddock::admin
