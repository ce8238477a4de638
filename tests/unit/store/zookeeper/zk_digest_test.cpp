// ZooKeeper's tree digest: CRC-32 as java.util.zip.CRC32, znodes under /zookeeper/ left out,
// "/" and "" the same root, null data apart from no data only in what it hashes (nothing),
// and the incremental digest the replay keeps equal to one computed from scratch.
#include "store/zookeeper/zk_digest.hpp"
#include "store/zookeeper/zk_migration.hpp"
#include "store/zookeeper/zk_snapshot.hpp"
#include "zk_files.hpp"

#include <catch2/catch.hpp>

using namespace paddock;
using namespace paddock::store::zookeeper;
namespace zkf = paddock::testing::zk;
namespace op = jute::opcode;

TEST_CASE("zk digest: CRC-32 check value, and what a znode's digest covers") {
  CHECK(crc32_update(0, "123456789") == 0xCBF43926u);
  CHECK(crc32_update(crc32_update(0, "12345"), "6789") == 0xCBF43926u);
  stat_persisted st{.czxid = 1, .mzxid = 2, .version = 3};
  CHECK(node_digest("/zookeeper/quota", "x", false, st) == 0);
  CHECK(node_digest("/zookeeper", "", false, st) != 0);
  CHECK(node_digest("/", "", false, st) == node_digest("", "", false, st));
  CHECK(node_digest("/a", "", true, st) == node_digest("/a", "", false, st));
  CHECK(node_digest("/a", "x", false, st) != node_digest("/a", "y", false, st));
  auto other = st;
  other.pzxid = 9;
  CHECK(node_digest("/a", "x", false, st) != node_digest("/a", "x", false, other));
}

TEST_CASE("zk digest: the replay keeps it equal to the digest computed from scratch") {
  zk_tree t;
  zk_snapshot_info info;
  std::string error;
  REQUIRE(parse_zk_snapshot(zkf::base_snapshot().bytes(), t, info, error));
  REQUIRE(t.digest == tree_digest(t));
  constexpr int64_t s = 0x100000000000001;
  std::vector<zkf::log_txn> txns{
      {s, 1, 10, op::create_session, zkf::int_txn(5000)},
      {s, 2, 11, op::create, zkf::create_txn("/a", "x", false, 1)},
      {s, 3, 12, op::create, zkf::create_txn("/a/e", "", true, 1)},
      {s, 4, 13, op::set_data, zkf::set_data_txn("/a", "y", 1)},
      {s, 5, 14, op::set_acl, zkf::set_acl_txn("/a", jute::read_acl_unsafe(), 1)},
      {s, 6, 15, op::create, zkf::create_txn("/a", "again", false, 9)}, // exists: fuzzy rule
      {s, 7, 16, op::remove, zkf::path_txn("/missing")},
      {s, 8, 17, op::multi,
       zkf::multi_txn({{op::create, zkf::create_txn("/m", "1", false, 3)},
                       {op::remove, zkf::path_txn("/m")}})},
      {s, 9, 18, op::close_session, zkf::close_session_txn({})}};
  for (const auto& x : txns) {
    INFO("zxid " << x.zxid);
    REQUIRE(apply_txn(t, {x.client, 1, x.zxid, x.time, x.type}, x.body, error));
    CHECK(t.digest == tree_digest(t));
  }
  CHECK_FALSE(t.nodes.count("/a/e"));
}

TEST_CASE("zk digest: a ZooKeeper tree converted to Paddock's has the same digest") {
  zk_tree t;
  zk_snapshot_info info;
  std::string error;
  REQUIRE(parse_zk_snapshot(zkf::base_snapshot().bytes(), t, info, error));
  constexpr int64_t s = 0x100000000000001;
  std::vector<zkf::log_txn> txns{
      {s, 1, 10, op::create_session, zkf::int_txn(5000)},
      {s, 2, 11, op::create, zkf::create_txn("/a", "x", false, 1)},
      {s, 3, 12, op::create, zkf::create_txn("/a/e", "", true, 1)},
      {s, 4, 13, op::set_data, zkf::set_data_txn("/a", "y", 1)},
      {s, 5, 14, op::set_acl, zkf::set_acl_txn("/a", jute::read_acl_unsafe(), 1)}};
  for (const auto& x : txns)
    REQUIRE(apply_txn(t, {x.client, 1, x.zxid, x.time, x.type}, x.body, error));
  store::data_tree converted;
  REQUIRE(to_data_tree(t, converted, error));
  REQUIRE(converted.digest().has_value());
  CHECK(*converted.digest() == tree_digest(t));
  CHECK(store::compute_tree_digest(converted) == tree_digest(t));
}
