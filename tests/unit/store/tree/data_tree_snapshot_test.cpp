// The tree's copy-on-write snapshot (data_tree::begin_snapshot / next_snapshot_nodes): what
// it yields is the tree at S, a parent before its children, however the tree changes between
// slices. The random property test is in tests/unit/store/disk/snapshot_stream_test.cpp;
// these are the cases spelled out.
#include "protocol/jute/opcodes.hpp"
#include "store/tree/data_tree.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>

using namespace paddock;
using namespace paddock::store;
namespace op = jute::opcode;

namespace {

constexpr int64_t session = 0x0100000000000001;

struct fixture {
  data_tree tree;
  int64_t zxid = 0;

  fixture() {
    txn t = base(op::create_session);
    t.session_timeout_ms = 30000;
    t.session_passwd = std::string(16, 'x');
    REQUIRE(tree.apply(t).err == error_code::ok);
  }
  txn base(int32_t type) {
    txn t;
    t.type = type;
    t.zxid = ++zxid;
    t.time_ms = 1000 + zxid;
    t.session_id = session;
    return t;
  }
  void one(txn_op o) {
    txn t = base(o.type);
    t.ops.push_back(std::move(o));
    REQUIRE(tree.apply(t).err == error_code::ok);
  }
  void create(const std::string& path, const std::string& data, int32_t flags = 0) {
    one({op::create, jute::create_request{path, data, jute::open_acl_unsafe(), flags, -1}});
  }
  void remove(const std::string& path) { one({op::remove, jute::delete_request{path, -1}}); }
  void set(const std::string& path, const std::string& data) {
    one({op::set_data, jute::set_data_request{path, data, -1}});
  }
};

struct yielded {
  std::string data;
  int64_t czxid = 0;
  int32_t version = 0;
  uint32_t num_children = 0;
};

// Drains the snapshot `n` znodes at a time, calling `between` after each slice; checks that
// every znode comes after its parent and only once.
std::map<std::string, yielded> drain(
    data_tree& tree, size_t n, const std::function<void()>& between = [] {}) {
  std::map<std::string, yielded> out;
  bool more = true;
  while (more) {
    more = tree.next_snapshot_nodes(n, [&](const znode_image& img) {
      std::string path(img.path);
      if (!path.empty()) {
        auto parent = path.substr(0, path.rfind('/'));
        CHECK(out.contains(parent));
      }
      CHECK_FALSE(out.contains(path));
      out[path] = {std::string(img.data), img.czxid, img.version, img.num_children};
    });
    between();
  }
  return out;
}

} // namespace

TEST_CASE("a snapshot yields the tree at its zxid, not the changes made while it runs") {
  fixture f;
  f.create("/a", "a0");
  f.create("/a/b", "b0");
  f.create("/a/b/c", "c0");
  f.create("/x", "x0");
  const int64_t a_czxid = f.zxid - 3;
  f.tree.begin_snapshot();
  CHECK(f.tree.snapshot_zxid() == f.zxid);
  CHECK(f.tree.snapshot_in_progress());
  int step = 0;
  auto got = drain(f.tree, 1, [&] {
    switch (step++) {
    case 0: // only the root has been yielded: delete a whole chain, then make /a again
      f.remove("/a/b/c");
      f.remove("/a/b");
      f.remove("/a");
      f.create("/a", "new");
      f.create("/a/fresh", "new");
      break;
    case 1:
      f.set("/x", "x1");
      f.set("/x", "x2");
      f.create("/y", "y");
      break;
    default: break;
    }
  });
  CHECK_FALSE(f.tree.next_snapshot_nodes(10, [](const znode_image&) { FAIL("after the end"); }));
  f.tree.end_snapshot();
  CHECK_FALSE(f.tree.snapshot_in_progress());

  std::set<std::string> paths;
  for (const auto& [p, _] : got)
    paths.insert(p);
  CHECK(paths == std::set<std::string>{"", "/zookeeper", "/zookeeper/quota", "/zookeeper/config",
                                       "/a", "/a/b", "/a/b/c", "/x"});
  CHECK(got["/a"].data == "a0");
  CHECK(got["/a"].czxid == a_czxid);
  CHECK(got["/a"].num_children == 1);
  CHECK(got["/a/b/c"].data == "c0");
  CHECK(got["/x"].data == "x0");
  CHECK(got["/x"].version == 0);
  CHECK(got[""].num_children == 3); // zookeeper, a, x: not y

  // The live tree has every change.
  std::string data;
  jute::stat st;
  REQUIRE(f.tree.get_data("/a", data, st) == error_code::ok);
  CHECK(data == "new");
  REQUIRE(f.tree.get_data("/x", data, st) == error_code::ok);
  CHECK(data == "x2");
  CHECK(f.tree.exists("/a/b", st) == error_code::no_node);
}

TEST_CASE("a snapshot walks a wide directory whose child table rehashes under it") {
  fixture f;
  f.create("/wide", "");
  for (int i = 0; i < 50; ++i)
    f.create("/wide/n" + std::to_string(i), std::to_string(i));
  f.tree.begin_snapshot();
  int round = 0;
  auto got = drain(f.tree, 3, [&] {
    // Hundreds of new siblings (rehashes), and deletes of old ones, between every slice.
    for (int k = 0; k < 20; ++k)
      f.create("/wide/m" + std::to_string(round * 20 + k), "late");
    if (round < 50) f.remove("/wide/n" + std::to_string(round));
    ++round;
  });
  f.tree.end_snapshot();
  size_t wide = 0;
  for (const auto& [p, y] : got)
    if (p.starts_with("/wide/")) {
      ++wide;
      CHECK(p.starts_with("/wide/n"));
      CHECK(y.data == p.substr(7));
    }
  CHECK(wide == 50);
}

TEST_CASE("a closed session's ephemerals and a setACL during a snapshot leave its image alone") {
  fixture f;
  f.create("/e", "eph", 1);
  f.tree.begin_snapshot();
  jute::stat st;
  auto got = drain(f.tree, 2, [&] {
    if (f.tree.exists("/e", st) == error_code::ok) {
      txn close = f.base(op::close_session);
      f.tree.apply(close);
    }
  });
  f.tree.end_snapshot();
  REQUIRE(got.contains("/e"));
  CHECK(got["/e"].data == "eph");
  CHECK(f.tree.sessions().empty());
}
