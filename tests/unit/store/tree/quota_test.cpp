// Quota usage tracking: the StatsTrack format, the longest quota'd prefix, and the data tree
// keeping /zookeeper/quota/<path>/zookeeper_stats up to date. The expected values were
// measured on ZooKeeper 3.8 with kazoo (the same steps as tests/integration/test_quota.py).
#include "protocol/jute/opcodes.hpp"
#include "store/disk/snapshot.hpp"
#include "store/tree/data_tree.hpp"
#include "store/tree/quota.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace paddock;
using namespace paddock::store;
namespace op = jute::opcode;

namespace {

constexpr int64_t s1 = 0x0100000000000001;

struct tree_fixture {
  data_tree tree;
  int64_t zxid = 0;
  tree_fixture() {
    txn t = base(op::create_session);
    t.session_timeout_ms = 30000;
    tree.apply(t);
  }
  txn base(int32_t type) {
    txn t;
    t.zxid = ++zxid;
    t.time_ms = 1000;
    t.session_id = s1;
    t.type = type;
    return t;
  }
  void single(txn_op o) {
    txn t = base(o.type);
    t.ops.push_back(std::move(o));
    REQUIRE(tree.apply(t).err == error_code::ok);
  }
  void create(std::string path, std::string data = "", int32_t flags = 0) {
    single({op::create, jute::create_request{std::move(path), std::move(data),
                                             jute::open_acl_unsafe(), flags, -1}});
  }
  void remove(std::string path) { single({op::remove, jute::delete_request{std::move(path), -1}}); }
  void set(std::string path, std::string data) {
    single({op::set_data, jute::set_data_request{std::move(path), std::move(data), -1}});
  }
  std::string data(std::string_view path) {
    std::string d;
    jute::stat st;
    REQUIRE(tree.get_data(path, d, st) == error_code::ok);
    return d;
  }
  // What zkCli's setquota creates (the parents of the quota znodes, then limits, then stats).
  void set_quota(const std::string& target, const std::string& limits) {
    std::string path(quota_root);
    size_t pos = 1;
    while (pos <= target.size()) {
      auto slash = target.find('/', pos);
      path = std::string(quota_root) + target.substr(0, slash);
      jute::stat st;
      if (tree.exists(path, st) != error_code::ok) create(path);
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    create(path + "/zookeeper_limits", limits);
    create(path + "/zookeeper_stats", "count=0,bytes=0");
  }
};

} // namespace

TEST_CASE("StatsTrack text round-trips, hard limits only when set") {
  CHECK(to_string(parse_stats_track("count=3,bytes=15")) == "count=3,bytes=15");
  CHECK(to_string(parse_stats_track("count=-1,bytes=-1,countHardLimit=4")) ==
        "count=-1,bytes=-1,countHardLimit=4");
  auto s = parse_stats_track("bytes=7,junk,count=x");
  CHECK(s.bytes == 7);
  CHECK(s.count == -1);
}

TEST_CASE("the quota of a path is its longest quota'd prefix on component boundaries") {
  std::set<std::string, std::less<>> q{"/a", "/a/b", "/zookeeper"};
  CHECK(max_quota_prefix(q, "/a/b/c") == "/a/b");
  CHECK(max_quota_prefix(q, "/a/bc") == "/a");
  CHECK(max_quota_prefix(q, "/a") == "/a");
  CHECK(max_quota_prefix(q, "/ab").empty());
  CHECK(max_quota_prefix(q, "/zookeeper/x").empty());
  CHECK(quota_target("/zookeeper/quota/a/b") == "/a/b");
  CHECK_FALSE(quota_target("/zookeeper/quota").has_value());
  CHECK_FALSE(quota_target("/zookeeper/quotas/a").has_value());
  CHECK(quota_stat_path("/a") == "/zookeeper/quota/a/zookeeper_stats");
}

TEST_CASE("the stats znode follows creates, deletes and setData under its path") {
  tree_fixture f;
  f.create("/q", "12345");
  f.create("/q/a", "xy");
  f.set_quota("/q", "count=10,bytes=-1");
  const std::string stats = "/zookeeper/quota/q/zookeeper_stats";
  CHECK(f.data(stats) == "count=2,bytes=7"); // the node itself and everything below
  jute::stat before;
  REQUIRE(f.tree.exists(stats, before) == error_code::ok);
  f.create("/q/b", "abc");
  CHECK(f.data(stats) == "count=3,bytes=10");
  f.set("/q/a", "");
  CHECK(f.data(stats) == "count=3,bytes=8");
  f.remove("/q/b");
  CHECK(f.data(stats) == "count=2,bytes=5");
  f.create("/q/a/deep", "1234567890");
  CHECK(f.data(stats) == "count=3,bytes=15");
  f.create("/qq", "zz"); // not below /q
  CHECK(f.data(stats) == "count=3,bytes=15");
  // Updated in place: no version or mzxid change.
  jute::stat after;
  REQUIRE(f.tree.exists(stats, after) == error_code::ok);
  CHECK(after.version == before.version);
  CHECK(after.mzxid == before.mzxid);
  CHECK(after.data_length == 16);
  // A nested quota takes over its subtree (and it has no stats znode here: nobody counts).
  f.create("/zookeeper/quota/q/a");
  f.create("/zookeeper/quota/q/a/zookeeper_limits", "count=5,bytes=-1");
  f.create("/q/a/n2", "333");
  CHECK(f.data(stats) == "count=3,bytes=15");
  // Deleting the limits znode ends the quota.
  f.remove("/zookeeper/quota/q/a/zookeeper_limits");
  f.remove("/zookeeper/quota/q/zookeeper_limits");
  f.create("/q/c", "1");
  CHECK(f.data(stats) == "count=3,bytes=15");
}

TEST_CASE("a stats znode without limits is counted once, then left alone") {
  tree_fixture f;
  f.create("/r", "1");
  f.create("/zookeeper/quota/r");
  f.create("/zookeeper/quota/r/zookeeper_stats", "junk");
  CHECK(f.data("/zookeeper/quota/r/zookeeper_stats") == "count=1,bytes=1");
  f.create("/r/x", "22");
  CHECK(f.data("/zookeeper/quota/r/zookeeper_stats") == "count=1,bytes=1");
}

TEST_CASE("a restored snapshot recounts every quota's usage") {
  tree_fixture f;
  f.create("/q", "12345");
  f.set_quota("/q", "count=10,bytes=-1");
  f.create("/q/a", "xy");
  // A stale stats znode (as a snapshot taken mid-way could hold): the restore recounts it.
  f.create("/q/b", "zzz");
  std::string bytes;
  REQUIRE(serialize_snapshot(f.tree, bytes).ok());
  data_tree back;
  REQUIRE(parse_snapshot(bytes, "test", back).ok());
  std::string d;
  jute::stat st;
  REQUIRE(back.get_data("/zookeeper/quota/q/zookeeper_stats", d, st) == error_code::ok);
  CHECK(d == "count=3,bytes=10");
  // And the quota is live in the restored tree.
  txn t;
  t.zxid = 100;
  t.session_id = s1;
  t.type = op::create;
  t.ops.push_back({op::create, jute::create_request{"/q/c", "1", jute::open_acl_unsafe(), 0, -1}});
  REQUIRE(back.apply(t).err == error_code::ok);
  REQUIRE(back.get_data("/zookeeper/quota/q/zookeeper_stats", d, st) == error_code::ok);
  CHECK(d == "count=4,bytes=11");
}

TEST_CASE("passing a soft limit is reported for the log, once per limit passed, not refused") {
  tree_fixture f;
  f.create("/q");
  f.set_quota("/q", "count=2,bytes=4");
  auto create = [&](std::string path, std::string data) {
    txn t = f.base(op::create);
    t.ops.push_back({op::create, jute::create_request{std::move(path), std::move(data),
                                                      jute::open_acl_unsafe(), 0, -1}});
    auto r = f.tree.apply(t);
    REQUIRE(r.err == error_code::ok); // 3.8 does not enforce by default
    return r.warnings;
  };
  CHECK(create("/q/a", "xy").empty()); // count 2 (/q and /q/a), bytes 2: within
  CHECK(create("/q/b", "xyz") == std::vector<std::string>{"Quota exceeded: /q count=3 limit=2",
                                                          "Quota exceeded: /q bytes=5 limit=4"});
  CHECK(create("/elsewhere", "xxxxxxxx").empty());
  // No limits znode, no warning: only the stats are kept.
  CHECK(quota_warnings("/p", parse_stats_track("count=9,bytes=9"),
                       parse_stats_track("count=-1,bytes=-1"))
            .empty());
}
