// The container / TTL sweeper's choice of candidates, and the deleteContainer txn that
// carries it out, on hand-built trees with a hand-set clock (txn times and "now").
#include "protocol/jute/opcodes.hpp"
#include "store/tree/container_sweeper.hpp"
#include "store/tree/create_mode.hpp"
#include "store/tree/data_tree.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

using namespace paddock;
using namespace paddock::store;
namespace op = jute::opcode;
using jute::event_type;

namespace {

constexpr int64_t s1 = 0x0100000000000001;

struct tree_fixture {
  data_tree tree;
  int64_t zxid = 0;

  tree_fixture() {
    txn t = base(op::create_session, 0);
    t.session_id = s1;
    t.session_timeout_ms = 30000;
    tree.apply(t);
  }
  txn base(int32_t type, int64_t time_ms) {
    txn t;
    t.zxid = ++zxid;
    t.time_ms = time_ms;
    t.session_id = s1;
    t.type = type;
    return t;
  }
  apply_result create(int32_t type, std::string path, int64_t time_ms, int32_t flags = 0,
                      int64_t ttl = -1) {
    txn t = base(type, time_ms);
    t.ops.push_back(
        {type, jute::create_request{std::move(path), "", jute::open_acl_unsafe(), flags, ttl}});
    return tree.apply(t);
  }
  apply_result container(std::string path, int64_t time_ms) {
    return create(op::create_container, std::move(path), time_ms, 4);
  }
  apply_result ttl_node(std::string path, int64_t ttl, int64_t time_ms, int32_t flags = 5) {
    return create(op::create_ttl, std::move(path), time_ms, flags, ttl);
  }
  apply_result node(std::string path, int64_t time_ms) {
    return create(op::create, std::move(path), time_ms);
  }
  apply_result remove(std::string path, int64_t time_ms) {
    txn t = base(op::remove, time_ms);
    t.ops.push_back({op::remove, jute::delete_request{std::move(path), -1}});
    return tree.apply(t);
  }
  apply_result set(std::string path, int64_t time_ms) {
    txn t = base(op::set_data, time_ms);
    t.ops.push_back({op::set_data, jute::set_data_request{std::move(path), "x", -1}});
    return tree.apply(t);
  }
  // What the sweeper proposes: session 0, no auth, the leader's time.
  apply_result sweep_delete(std::string path, int64_t time_ms) {
    txn t = base(op::delete_container, time_ms);
    t.session_id = 0;
    t.ops.push_back({op::delete_container, jute::delete_request{std::move(path), -1}});
    return tree.apply(t);
  }
  bool exists(std::string_view path) {
    jute::stat st;
    return tree.exists(path, st) == error_code::ok;
  }
};

using paths = std::vector<std::string>;

} // namespace

TEST_CASE("a container is a candidate only once it had a child and has none") {
  tree_fixture f;
  REQUIRE(f.container("/c", 1000).err == error_code::ok);
  CHECK(sweep_candidates(f.tree, 1'000'000, 100).empty()); // never used: kept
  REQUIRE(f.node("/c/a", 1100).err == error_code::ok);
  CHECK(sweep_candidates(f.tree, 1'000'000, 100).empty()); // has a child
  REQUIRE(f.remove("/c/a", 1200).err == error_code::ok);
  CHECK(sweep_candidates(f.tree, 1200, 100) == paths{"/c"}); // no time condition
}

TEST_CASE("a TTL znode is a candidate when childless and more than its TTL since mtime") {
  tree_fixture f;
  REQUIRE(f.ttl_node("/t", 500, 1000).err == error_code::ok);
  CHECK(sweep_candidates(f.tree, 1500, 100).empty()); // exactly ttl: not yet
  CHECK(sweep_candidates(f.tree, 1501, 100) == paths{"/t"});
  // A setData moves mtime and so the expiry.
  REQUIRE(f.set("/t", 1400).err == error_code::ok);
  CHECK(sweep_candidates(f.tree, 1501, 100).empty());
  CHECK(sweep_candidates(f.tree, 1901, 100) == paths{"/t"});
  // A child keeps it, however old.
  REQUIRE(f.node("/t/child", 1950).err == error_code::ok);
  CHECK(sweep_candidates(f.tree, 100'000, 100).empty());
}

TEST_CASE("a sequential TTL znode expires like any TTL znode") {
  tree_fixture f;
  auto r = f.ttl_node("/s-", 100, 1000, 6);
  REQUIRE(r.err == error_code::ok);
  REQUIRE(r.results.front().path == "/s-0000000000");
  CHECK(sweep_candidates(f.tree, 1101, 100) == paths{"/s-0000000000"});
}

TEST_CASE("persistent and ephemeral znodes are never candidates") {
  tree_fixture f;
  REQUIRE(f.node("/p", 0).err == error_code::ok);
  REQUIRE(f.create(op::create, "/e", 0, 1).err == error_code::ok);
  CHECK(sweep_candidates(f.tree, INT64_MAX / 2, 100).empty());
}

TEST_CASE("a pass proposes at most the limit, containers first") {
  tree_fixture f;
  for (auto p : {"/c1", "/c2"}) {
    REQUIRE(f.container(p, 0).err == error_code::ok);
    REQUIRE(f.node(std::string(p) + "/x", 0).err == error_code::ok);
    REQUIRE(f.remove(std::string(p) + "/x", 0).err == error_code::ok);
  }
  REQUIRE(f.ttl_node("/t", 1, 0).err == error_code::ok);
  CHECK(sweep_candidates(f.tree, 10, 2) == paths{"/c1", "/c2"});
  CHECK(sweep_candidates(f.tree, 10, 3) == paths{"/c1", "/c2", "/t"});
  CHECK(sweep_candidates(f.tree, 10, 0).empty());
}

TEST_CASE("maxPerMinute becomes a per-pass limit of at least one") {
  CHECK(sweep_limit_per_pass(60000, 10000) == 10000);
  CHECK(sweep_limit_per_pass(100, 10000) == 17); // 16.67 rounded up
  CHECK(sweep_limit_per_pass(100, 1) == 1);
  CHECK(sweep_limit_per_pass(0, 10) == 1);
}

TEST_CASE("deleteContainer deletes an empty container and fires delete watches") {
  tree_fixture f;
  REQUIRE(f.node("/p", 0).err == error_code::ok);
  REQUIRE(f.container("/p/c", 0).err == error_code::ok);
  REQUIRE(f.node("/p/c/a", 0).err == error_code::ok);
  REQUIRE(f.remove("/p/c/a", 0).err == error_code::ok);
  auto r = f.sweep_delete("/p/c", 10);
  REQUIRE(r.err == error_code::ok);
  CHECK_FALSE(f.exists("/p/c"));
  CHECK(f.tree.containers().empty());
  REQUIRE(r.triggers.size() == 2);
  CHECK(r.triggers[0].path == "/p/c");
  CHECK(r.triggers[0].type == event_type::node_deleted);
  CHECK(r.triggers[1].path == "/p");
  CHECK(r.triggers[1].type == event_type::node_children_changed);
}

TEST_CASE("deleteContainer re-checks at apply time") {
  tree_fixture f;
  REQUIRE(f.container("/c", 0).err == error_code::ok);
  REQUIRE(f.node("/c/a", 0).err == error_code::ok);
  // A child created after the sweeper chose it saves the container.
  CHECK(f.sweep_delete("/c", 10).err == error_code::not_empty);
  CHECK(f.exists("/c"));
  // A plain znode is not the sweeper's to delete.
  REQUIRE(f.node("/plain", 0).err == error_code::ok);
  CHECK(f.sweep_delete("/plain", 10).err == error_code::bad_version);
  CHECK(f.exists("/plain"));
  // Neither is a TTL znode changed since: it is not expired at the txn's time.
  REQUIRE(f.ttl_node("/t", 100, 0).err == error_code::ok);
  REQUIRE(f.set("/t", 50).err == error_code::ok);
  CHECK(f.sweep_delete("/t", 120).err == error_code::bad_version);
  CHECK(f.exists("/t"));
  CHECK(f.sweep_delete("/t", 151).err == error_code::ok);
  CHECK_FALSE(f.exists("/t"));
  CHECK(f.tree.ttl_nodes().empty());
  // Already gone (two passes proposed it): NoNode, nothing changes.
  CHECK(f.sweep_delete("/t", 200).err == error_code::no_node);
  CHECK(f.sweep_delete("/zookeeper", 200).err == error_code::bad_arguments);
}

TEST_CASE("deleteContainer inside a multi is refused") {
  tree_fixture f;
  REQUIRE(f.container("/c", 0).err == error_code::ok);
  txn t = f.base(op::multi, 10);
  t.ops.push_back({op::delete_container, jute::delete_request{"/c", -1}});
  auto r = f.tree.apply(t);
  REQUIRE(r.results.size() == 1);
  CHECK(r.results[0].err == error_code::bad_arguments);
  CHECK(f.exists("/c"));
}
