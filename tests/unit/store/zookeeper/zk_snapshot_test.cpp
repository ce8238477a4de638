// ZooKeeper's snapshot format: a hand-built file parses into the tree it describes; any
// damage (a flipped byte, a cut at any offset, a bad magic, a znode before its parent, an ACL
// the cache lacks) is refused; Paddock's tree written as a ZooKeeper snapshot reads back the
// same.
#include "store/zookeeper/zk_digest.hpp"
#include "store/zookeeper/zk_migration.hpp"
#include "store/zookeeper/zk_snapshot.hpp"
#include "zk_files.hpp"

#include <catch2/catch.hpp>

using namespace paddock;
using namespace paddock::store::zookeeper;
namespace zkf = paddock::testing::zk;

namespace {

zkf::snapshot_builder sample() {
  auto b = zkf::base_snapshot();
  b.digest_zxid = 7;
  b.digest = 12345;
  b.sessions[0x100000000000001] = 4000;
  b.acls[2] = {{31, {"digest", "alice:hash"}}, {1, {"ip", "10.0.0.0/8"}}};
  b.nodes[0].stat.cversion = 2;
  b.nodes.push_back({"/a",
                     "hello",
                     2,
                     {.czxid = 5,
                      .mzxid = 6,
                      .ctime = 100,
                      .mtime = 200,
                      .version = 1,
                      .cversion = 3,
                      .aversion = 2,
                      .pzxid = 9}});
  b.nodes.push_back({"/a/e",
                     "",
                     -1,
                     {.czxid = 9, .mzxid = 9, .ephemeral_owner = 0x100000000000001, .pzxid = 9},
                     true});
  return b;
}

} // namespace

TEST_CASE("zk snapshot: a hand-built snapshot parses into its tree") {
  zk_tree tree;
  zk_snapshot_info info;
  std::string error;
  REQUIRE(parse_zk_snapshot(sample().bytes(), tree, info, error));
  CHECK(tree.sessions == std::map<int64_t, int32_t>{{0x100000000000001, 4000}});
  REQUIRE(tree.nodes.size() == 6);
  const auto& a = tree.nodes.at("/a");
  CHECK(a.data == "hello");
  CHECK(a.acl.size() == 2);
  CHECK(a.acl[0].id.scheme == "digest");
  CHECK(a.stat == stat_persisted{.czxid = 5,
                                 .mzxid = 6,
                                 .ctime = 100,
                                 .mtime = 200,
                                 .version = 1,
                                 .cversion = 3,
                                 .aversion = 2,
                                 .pzxid = 9});
  CHECK(a.children == std::set<std::string>{"e"});
  CHECK(tree.nodes.at("/a/e").data_is_null);
  CHECK(tree.nodes.at("/a/e").acl == jute::open_acl_unsafe()); // ref -1
  CHECK(tree.nodes.at("").children == std::set<std::string>{"a", "zookeeper"});
  REQUIRE(info.digest);
  CHECK(info.digest->zxid == 7);
  CHECK(info.digest->digest == 12345);
}

TEST_CASE("zk snapshot: one without the 3.6 digest section reads as before") {
  auto b = sample();
  b.with_digest = false;
  zk_tree tree;
  zk_snapshot_info info;
  std::string error;
  REQUIRE(parse_zk_snapshot(b.bytes(), tree, info, error));
  CHECK_FALSE(info.digest);
  CHECK(tree.nodes.count("/a/e"));
}

TEST_CASE("zk snapshot: 3.9's lastProcessedZxid section is read and its seal checked") {
  auto b = sample();
  b.with_last_zxid = true;
  auto bytes = b.bytes();
  zk_tree tree;
  zk_snapshot_info info;
  std::string error;
  REQUIRE(parse_zk_snapshot(bytes, tree, info, error));
  CHECK(info.last_processed_zxid == 0x500000009);
  bytes[bytes.size() - 15] ^= 1; // inside the zxid
  CHECK_FALSE(parse_zk_snapshot(bytes, tree, info, error));
}

TEST_CASE("zk snapshot: damage anywhere is refused") {
  const auto good = sample().bytes();
  std::string error;
  SECTION("a flipped byte fails the checksum (or the structure)") {
    auto b = sample();
    b.with_digest = false;
    const auto plain = b.bytes();
    for (size_t at = 0; at < plain.size(); ++at) {
      auto bad = plain;
      bad[at] = static_cast<char>(bad[at] ^ 0x5a);
      zk_tree tree;
      zk_snapshot_info info;
      INFO("flipped byte at " << at);
      CHECK_FALSE(parse_zk_snapshot(bad, tree, info, error));
    }
  }
  SECTION("a digest that does not match its seal is refused") {
    auto bad = good;
    bad[bad.size() - 20] ^= 1; // inside the ZxidDigest
    zk_tree tree;
    zk_snapshot_info info;
    CHECK_FALSE(parse_zk_snapshot(bad, tree, info, error));
  }
  SECTION("a cut before the first seal's end is refused") {
    auto b = sample();
    b.with_digest = false;
    auto bytes = b.bytes();
    for (size_t len = 0; len < bytes.size(); ++len) {
      zk_tree tree;
      zk_snapshot_info info;
      INFO("cut at " << len);
      CHECK_FALSE(parse_zk_snapshot(bytes.substr(0, len), tree, info, error));
    }
  }
  SECTION("bad magic") {
    auto bad = good;
    bad.replace(0, 4, "ZKLG");
    zk_tree tree;
    zk_snapshot_info info;
    CHECK_FALSE(parse_zk_snapshot(bad, tree, info, error));
    CHECK(error.find("bad magic") != std::string::npos);
  }
  SECTION("a znode before its parent, an unknown ACL ref") {
    auto orphan = sample();
    orphan.nodes.push_back({"/missing/child", "", -1, {}});
    zk_tree tree;
    zk_snapshot_info info;
    CHECK_FALSE(parse_zk_snapshot(orphan.bytes(), tree, info, error));
    CHECK(error.find("without its parent") != std::string::npos);
    auto unknown = sample();
    unknown.nodes.push_back({"/b", "", 77, {}});
    CHECK_FALSE(parse_zk_snapshot(unknown.bytes(), tree, info, error));
    CHECK(error.find("ACL 77") != std::string::npos);
  }
}

TEST_CASE("zk snapshot: Paddock's tree written as a ZooKeeper snapshot reads back the same") {
  zk_tree imported;
  zk_snapshot_info info;
  std::string error;
  REQUIRE(parse_zk_snapshot(sample().bytes(), imported, info, error));
  imported.last_zxid = 9;
  store::data_tree tree;
  REQUIRE(to_data_tree(imported, tree, error));

  auto bytes = write_zk_snapshot(tree);
  zk_tree again;
  REQUIRE(parse_zk_snapshot(bytes, again, info, error));
  REQUIRE(info.digest);
  CHECK(info.digest->zxid == 9);
  CHECK(info.digest->digest == tree_digest(again));
  CHECK(again.sessions == imported.sessions);
  REQUIRE(again.nodes.size() == imported.nodes.size());
  for (const auto& [path, n] : imported.nodes) {
    INFO(path);
    const auto& m = again.nodes.at(path);
    CHECK(m.data == n.data);
    CHECK(m.data_is_null == n.data_is_null);
    CHECK(m.acl == n.acl);
    CHECK(m.stat == n.stat);
    CHECK(m.children == n.children);
  }
}

TEST_CASE("zk file names: the hex zxid, with or without an extension") {
  CHECK(zxid_from_name("snapshot.1a2b", "snapshot") == 0x1a2b);
  CHECK(zxid_from_name("snapshot.1a2b.gz", "snapshot") == 0x1a2b);
  CHECK(zxid_from_name("log.100000001", "log") == 0x100000001);
  CHECK_FALSE(zxid_from_name("log.xyz", "log"));
  CHECK_FALSE(zxid_from_name("snapshot.", "snapshot"));
  CHECK_FALSE(zxid_from_name("acceptedEpoch", "log"));
  CHECK(zk_snapshot_name(0x100000002) == "snapshot.100000002");
}
