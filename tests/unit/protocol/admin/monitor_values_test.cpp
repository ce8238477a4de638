// mntr's ordered figures (also the AdminServer's `monitor`), in ZooKeeper 3.8's keys and
// value formats.
#include "protocol/admin/monitor_values.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace paddock::admin;

namespace {

server_snapshot standalone() {
  server_snapshot s;
  s.version = "3.8.0-paddock";
  s.node_count = 10;
  s.avg_latency_ms = 0.64591;
  s.max_latency_ms = 31;
  s.packets_received = 7;
  s.global_sessions = 2;
  s.open_file_descriptors = 40;
  s.max_file_descriptors = 1024;
  return s;
}

std::vector<std::string> keys(const std::vector<monitor_value>& values) {
  std::vector<std::string> out;
  for (const auto& v : values)
    out.push_back(v.key);
  return out;
}

const monitor_value::value_type& value_of(const std::vector<monitor_value>& values,
                                          const std::string& key) {
  auto it = std::find_if(values.begin(), values.end(), [&](auto& v) { return v.key == key; });
  REQUIRE(it != values.end());
  return it->value;
}

bool has(const std::vector<std::string>& ks, const std::string& key) {
  return std::find(ks.begin(), ks.end(), key) != ks.end();
}

} // namespace

TEST_CASE("standalone: version and state first, then the server's gauges, typed") {
  auto values = monitor_values(standalone());
  auto ks = keys(values);
  REQUIRE(ks.size() >= 3);
  CHECK(ks[0] == "version");
  CHECK(ks[1] == "server_state");
  CHECK(std::get<std::string>(value_of(values, "server_state")) == "standalone");
  CHECK(std::get<double>(value_of(values, "avg_latency")) == 0.6459); // rounded to 4 places
  CHECK(std::get<int64_t>(value_of(values, "znode_count")) == 10);
  CHECK(std::get<int64_t>(value_of(values, "global_sessions")) == 2);
  CHECK(std::get<int64_t>(value_of(values, "open_file_descriptor_count")) == 40);
  CHECK_FALSE(has(ks, "peer_state"));
  CHECK_FALSE(has(ks, "quorum_size"));
  CHECK_FALSE(has(ks, "learners"));
}

TEST_CASE("unknown file descriptor counts are left out, not printed as a constant") {
  auto s = standalone();
  s.open_file_descriptors = -1;
  s.max_file_descriptors = -1;
  auto ks = keys(monitor_values(s));
  CHECK_FALSE(has(ks, "open_file_descriptor_count"));
  CHECK_FALSE(has(ks, "max_file_descriptor_count"));
}

TEST_CASE("a follower has peer_state and quorum_size, no leader keys") {
  auto s = standalone();
  s.mode = "follower";
  s.quorum_size = 3;
  auto values = monitor_values(s);
  CHECK(std::get<std::string>(value_of(values, "peer_state")) == "following - broadcast");
  CHECK(std::get<int64_t>(value_of(values, "quorum_size")) == 3);
  CHECK_FALSE(has(keys(values), "synced_followers"));
}

TEST_CASE("the leader adds ZooKeeper's leader keys") {
  auto s = standalone();
  s.mode = "leader";
  s.quorum_size = 3;
  leader_figures l;
  l.learners = 2;
  l.synced_followers = 2;
  l.pending_syncs = 1;
  l.uptime_ms = 1500;
  l.last_proposal_size = 98;
  l.min_proposal_size = 48;
  l.max_proposal_size = 120;
  s.leader = l;
  auto values = monitor_values(s);
  CHECK(std::get<std::string>(value_of(values, "peer_state")) == "leading - broadcast");
  for (const char* key : {"learners", "synced_followers", "synced_non_voting_followers",
                          "synced_observers", "pending_syncs", "leader_uptime",
                          "last_proposal_size", "max_proposal_size", "min_proposal_size"})
    CHECK(has(keys(values), key));
  CHECK(std::get<int64_t>(value_of(values, "learners")) == 2);
  CHECK(std::get<int64_t>(value_of(values, "min_proposal_size")) == 48);
  CHECK(std::get<int64_t>(value_of(values, "synced_observers")) == 0);
}

TEST_CASE("values print as ZooKeeper's mntr prints them") {
  CHECK(format_monitor_value(int64_t{42}) == "42");
  CHECK(format_monitor_value(0.0) == "0.0");
  CHECK(format_monitor_value(450.0) == "450.0");
  CHECK(format_monitor_value(0.4286) == "0.4286");
  CHECK(format_monitor_value(std::string("leader")) == "leader");
  CHECK(format_mntr({{"znode_count", int64_t{5}}, {"avg_latency", 1.5}}) ==
        "zk_znode_count\t5\nzk_avg_latency\t1.5\n");
}

TEST_CASE("digests: the mismatch counter always, the digest and its zxid only when kept") {
  auto s = standalone();
  s.digest_mismatches = 2;
  auto values = monitor_values(s);
  CHECK(std::get<int64_t>(value_of(values, "digest_mismatches_count")) == 2);
  CHECK_FALSE(has(keys(values), "tree_digest"));
  CHECK_FALSE(has(keys(values), "tree_digest_zxid"));
  s.digest = 0x7fffffffffffff01; // beyond a double's exact integers: kept as text
  s.zxid = 0x100000005;
  values = monitor_values(s);
  CHECK(std::get<std::string>(value_of(values, "tree_digest")) == "9223372036854775553");
  CHECK(std::get<int64_t>(value_of(values, "tree_digest_zxid")) == 0x100000005);
  CHECK(format_mntr(values).find("zk_tree_digest\t9223372036854775553\n") != std::string::npos);
}
