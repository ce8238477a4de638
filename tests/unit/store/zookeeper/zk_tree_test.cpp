// Replaying ZooKeeper txns as DataTree.processTxn does at start-up, including the rules that
// make a fuzzy snapshot's replay come out right: a create of a znode the snapshot already
// holds, a delete of one it no longer holds, closeSession, multi, TTL and container owners.
#include "store/tree/create_mode.hpp"
#include "store/zookeeper/zk_tree.hpp"
#include "zk_files.hpp"

#include <catch2/catch.hpp>

using namespace paddock;
using namespace paddock::store::zookeeper;
namespace zkf = paddock::testing::zk;
namespace op = jute::opcode;

namespace {

constexpr int64_t session = 0x100000000000001;

zk_tree fresh() {
  zk_tree t;
  t.nodes[""];
  t.nodes["/zookeeper"];
  t.nodes[""].children = {"zookeeper"};
  return t;
}

void apply(zk_tree& t, int64_t zxid, int32_t type, const std::string& body,
           int64_t client = session) {
  std::string error;
  INFO(error);
  REQUIRE(apply_txn(t, {client, 1, zxid, 1000 + zxid, type}, body, error));
}

} // namespace

TEST_CASE("zk replay: create, setData, setACL, delete set the Stat as ZooKeeper does") {
  auto t = fresh();
  apply(t, 1, op::create, zkf::create_txn("/a", "x", false, 1));
  apply(t, 2, op::set_data, zkf::set_data_txn("/a", "y", 1));
  apply(t, 3, op::set_acl, zkf::set_acl_txn("/a", jute::read_acl_unsafe(), 1));
  apply(t, 4, op::create2, zkf::create_txn("/a/b", "", false, 1));
  apply(t, 5, op::remove, zkf::path_txn("/a/b"));
  const auto& a = t.nodes.at("/a");
  CHECK(a.data == "y");
  CHECK(a.acl == jute::read_acl_unsafe());
  CHECK(a.stat == stat_persisted{.czxid = 1,
                                 .mzxid = 2,
                                 .ctime = 1001,
                                 .mtime = 1002,
                                 .version = 1,
                                 .cversion = 1,
                                 .aversion = 1,
                                 .pzxid = 5});
  CHECK(a.children.empty());
  CHECK(t.nodes.at("").stat.cversion == 1);
  CHECK(t.nodes.at("").stat.pzxid == 1);
  CHECK(t.last_zxid == 5);
}

TEST_CASE("zk replay: txns a fuzzy snapshot already holds change only what ZooKeeper changes") {
  auto t = fresh();
  apply(t, 1, op::create, zkf::create_txn("/a", "x", false, 1));
  SECTION("a create of an existing znode: it takes the txn's ACL, the parent its cversion") {
    apply(t, 2, op::create, zkf::create_txn("/a", "other", false, 5, jute::read_acl_unsafe()));
    CHECK(t.nodes.at("/a").data == "x");
    CHECK(t.nodes.at("/a").acl == jute::read_acl_unsafe());
    CHECK(t.nodes.at("").stat.cversion == 5);
    CHECK(t.nodes.at("").stat.pzxid == 2);
  }
  SECTION("create2 of an existing znode leaves the parent alone (ZooKeeper checks create)") {
    apply(t, 2, op::create2, zkf::create_txn("/a", "other", false, 5));
    CHECK(t.nodes.at("").stat.cversion == 1);
    CHECK(t.nodes.at("").stat.pzxid == 1);
  }
  SECTION("a delete of a missing znode still moves the parent's pzxid") {
    apply(t, 7, op::remove, zkf::path_txn("/gone"));
    CHECK(t.nodes.at("").stat.pzxid == 7);
    CHECK(t.nodes.count("/a"));
  }
  SECTION("a create whose parent is missing and a setData of a missing znode are ignored") {
    apply(t, 2, op::create, zkf::create_txn("/x/y", "", false, 1));
    apply(t, 3, op::set_data, zkf::set_data_txn("/nope", "", 3));
    CHECK_FALSE(t.nodes.count("/x/y"));
    CHECK(t.last_zxid == 3);
  }
  SECTION("parentCVersion -1 (the old CreateTxn) counts one more child") {
    apply(t, 2, op::create, zkf::create_txn("/b", "", false, -1));
    CHECK(t.nodes.at("").stat.cversion == 2);
  }
}

TEST_CASE("zk replay: sessions, ephemerals, TTL and container owners") {
  auto t = fresh();
  apply(t, 1, op::create_session, zkf::int_txn(6000));
  apply(t, 2, op::create, zkf::create_txn("/e1", "", true, 1));
  apply(t, 3, op::create, zkf::create_txn("/e2", "", true, 2));
  apply(t, 4, op::create_ttl, zkf::create_ttl_txn("/ttl", 3, 60000));
  apply(t, 5, op::create_container, zkf::create_container_txn("/box", 4));
  CHECK(t.sessions.at(session) == 6000);
  CHECK(t.nodes.at("/e1").stat.ephemeral_owner == session);
  CHECK(t.nodes.at("/ttl").stat.ephemeral_owner == store::ttl_ephemeral_owner(60000));
  CHECK(t.nodes.at("/box").stat.ephemeral_owner == store::container_ephemeral_owner);
  // 3.6+ closeSession names the paths; ephemerals it does not name go too.
  apply(t, 6, op::close_session, zkf::close_session_txn({"/e1"}));
  CHECK_FALSE(t.sessions.count(session));
  CHECK_FALSE(t.nodes.count("/e1"));
  CHECK_FALSE(t.nodes.count("/e2"));
  CHECK(t.nodes.count("/ttl"));
  CHECK(t.nodes.count("/box"));
  CHECK(t.nodes.at("").stat.pzxid == 6);
}

TEST_CASE("zk replay: a multi applies all its ops, a failed multi none") {
  auto t = fresh();
  apply(t, 1, op::multi,
        zkf::multi_txn({{op::create, zkf::create_txn("/m", "1", false, 1)},
                        {op::create, zkf::create_txn("/m/c", "2", false, 1)},
                        {op::set_data, zkf::set_data_txn("/m", "3", 1)},
                        {op::check, zkf::path_txn("/m") + zkf::int_txn(1)}}));
  CHECK(t.nodes.at("/m").data == "3");
  CHECK(t.nodes.at("/m").stat.mzxid == 1);
  CHECK(t.nodes.count("/m/c"));
  apply(t, 2, op::multi,
        zkf::multi_txn(
            {{op::create, zkf::create_txn("/n", "1", false, 2)}, {op::error, zkf::int_txn(-101)}}));
  CHECK_FALSE(t.nodes.count("/n"));
  CHECK(t.last_zxid == 2);
}

TEST_CASE("zk replay: an undecodable txn or an unknown type is an error") {
  auto t = fresh();
  std::string error;
  CHECK_FALSE(apply_txn(t, {session, 1, 1, 0, op::create}, "\x01", error));
  CHECK_FALSE(error.empty());
  CHECK_FALSE(apply_txn(t, {session, 1, 2, 0, 9999}, "", error));
  CHECK(error.find("unsupported") != std::string::npos);
}
