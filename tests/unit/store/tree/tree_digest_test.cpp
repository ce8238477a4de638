// ZooKeeper's tree digest as the data tree keeps it: the per-znode term (CRC-32 as
// java.util.zip.CRC32, /zookeeper/ left out, null data hashing nothing), and the incremental
// sum equal to the one computed from scratch after every kind of txn. The equality with
// ZooKeeper's own digest of the same tree is in tests/unit/store/zookeeper/zk_digest_test.cpp.
#include "protocol/jute/opcodes.hpp"
#include "store/disk/snapshot.hpp"
#include "store/tree/data_tree.hpp"
#include "store/tree/tree_digest.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace paddock;
using namespace paddock::store;
namespace op = jute::opcode;

namespace {

// Trees made while it lives keep (or do not keep) the digest; the default comes back after.
struct digests_set_to {
  explicit digests_set_to(bool on) { data_tree::set_digest_enabled(on); }
  ~digests_set_to() { data_tree::set_digest_enabled(true); }
};

txn make_txn(int64_t zxid, int32_t type, int64_t session) {
  txn t;
  t.zxid = zxid;
  t.time_ms = 5000 + zxid;
  t.session_id = session;
  t.type = type;
  t.auth = std::make_shared<const std::vector<jute::id>>();
  return t;
}

txn_op create_op(std::string path, std::string data, int32_t flags, int32_t type = op::create2,
                 int64_t ttl = -1) {
  return {type, jute::create_request{std::move(path), std::move(data), jute::open_acl_unsafe(),
                                     flags, ttl}};
}

// Random txns of every kind over a small set of paths, so that many of them hit existing
// znodes (and some fail): creates of each mode, deletes, setData (null data too), setACL,
// multis (some failing), sessions opened and closed with their ephemerals.
class random_txns {
public:
  explicit random_txns(uint64_t seed) : rng_(seed) {}

  txn next(int64_t zxid) {
    const int kind = pick(10);
    const int64_t session = sessions_[pick(static_cast<int>(sessions_.size()))];
    switch (kind) {
    case 0: {
      auto t = make_txn(zxid, op::create_session, session);
      t.session_timeout_ms = 30000;
      return t;
    }
    case 1: return make_txn(zxid, op::close_session, session);
    case 2: {
      auto t = make_txn(zxid, op::multi, session);
      for (int i = 0, n = 1 + pick(3); i < n; ++i)
        t.ops.push_back(any_op());
      return t;
    }
    default: {
      auto o = any_op();
      auto t = make_txn(zxid, o.type, session);
      t.ops.push_back(std::move(o));
      return t;
    }
    }
  }

private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string path() {
    static const std::vector<std::string> paths{"/a", "/a/b", "/a/b/c",
                                                "/d", "/d/e", "/zookeeper/x"};
    return paths[pick(static_cast<int>(paths.size()))];
  }
  // `prefix` then a number. Not `"v" + std::to_string(n)`: GCC 12 warns (-Wrestrict) on that
  // operator+ once inlined here, a known false positive of its string code.
  std::string numbered(char prefix, int n) {
    std::string out(1, prefix);
    out += std::to_string(n);
    return out;
  }
  txn_op any_op() {
    switch (pick(9)) {
    case 0: return create_op(path(), numbered('v', pick(100)), 0);
    case 1: return create_op(path(), "e", 1);
    case 2: return create_op(path(), "s", 2);
    case 3: return create_op(path(), "c", 4, op::create_container);
    case 4: return create_op(path(), "t", 5, op::create_ttl, 60000);
    case 5: return {op::remove, jute::delete_request{path(), -1}};
    case 6: {
      jute::set_data_request r{path(), numbered('x', pick(100)), -1};
      r.data_is_null = pick(4) == 0;
      if (r.data_is_null) r.data.clear();
      return {op::set_data, r};
    }
    case 7:
      return {op::set_acl,
              jute::set_acl_request{
                  path(), pick(2) ? jute::read_acl_unsafe() : jute::open_acl_unsafe(), -1}};
    default: return {op::check, jute::check_version_request{path(), pick(2) - 1}};
    }
  }

  std::mt19937_64 rng_;
  std::vector<int64_t> sessions_{0x0100000000000001, 0x0100000000000002, 0x0100000000000003};
};

} // namespace

TEST_CASE("tree digest: CRC-32's check value, and what a znode's term covers") {
  CHECK(crc32_update(0, "123456789") == 0xCBF43926u);
  CHECK(crc32_update(crc32_update(0, "12345"), "6789") == 0xCBF43926u);
  znode_image n;
  n.path = "/a";
  n.data = "x";
  n.czxid = 1;
  n.mzxid = 2;
  const auto base = node_digest(n);
  CHECK(base > 0);
  CHECK(base <= int64_t{0xffffffff});
  auto other = n;
  other.path = "/zookeeper/quota";
  CHECK(node_digest(other) == 0);
  other.path = "/zookeeper";
  CHECK(node_digest(other) != 0);
  other = n;
  other.pzxid = 9;
  CHECK(node_digest(other) != base);
  other = n;
  other.aversion = 1;
  CHECK(node_digest(other) != base);
  other = n;
  other.data = "";
  other.data_is_null = true;
  auto empty = n;
  empty.data = "";
  CHECK(node_digest(other) == node_digest(empty)); // null hashes nothing, as empty does
  auto root = n;
  root.path = "";
  auto slash = n;
  slash.path = "/";
  CHECK(node_digest(root) == node_digest(slash));
}

TEST_CASE("tree digest: a term in two steps, path and data then the Stat, is the same term") {
  znode_image n;
  n.path = "/parent";
  n.data = std::string(100000, 'd');
  n.czxid = 3;
  n.pzxid = 7;
  n.cversion = 2;
  const auto prefix = node_digest_prefix_of(n.path, n.data, false);
  CHECK(node_digest_with_stat(prefix, n) == node_digest(n));
  // The prefix carries over a Stat change: a child created moves cversion and pzxid.
  auto changed = n;
  changed.cversion = 3;
  changed.pzxid = 8;
  CHECK(node_digest_with_stat(prefix, changed) == node_digest(changed));
  CHECK(node_digest_with_stat(prefix, changed) != node_digest(n));
  // Null data, the root's two spellings and /zookeeper/'s zero, as node_digest.
  auto null_data = n;
  null_data.data = "";
  null_data.data_is_null = true;
  CHECK(node_digest_with_stat(node_digest_prefix_of(n.path, "", true), null_data) ==
        node_digest(null_data));
  auto root = n;
  root.path = "/";
  CHECK(node_digest_with_stat(node_digest_prefix_of("/", n.data, false), root) ==
        node_digest(root));
  CHECK(node_digest_with_stat(node_digest_prefix_of("", n.data, false), root) == node_digest(root));
  CHECK(node_digest_with_stat(node_digest_prefix_of("/zookeeper/quota", n.data, false), n) == 0);
}

TEST_CASE(
    "tree digest: a fresh tree's digest is the from-scratch one, and it moves with a change") {
  data_tree tree;
  REQUIRE(tree.digest().has_value());
  CHECK(*tree.digest() == compute_tree_digest(tree));
  auto open = make_txn(1, op::create_session, 0x0100000000000001);
  open.session_timeout_ms = 30000;
  REQUIRE(tree.apply(open).err == error_code::ok);
  CHECK(*tree.digest() == compute_tree_digest(tree)); // sessions are not in the digest
  const auto before = *tree.digest();
  auto t = make_txn(2, op::create2, 0x0100000000000001);
  t.ops.push_back(create_op("/a", "x", 0));
  REQUIRE(tree.apply(t).err == error_code::ok);
  CHECK(*tree.digest() != before);
  CHECK(*tree.digest() == compute_tree_digest(tree));
}

TEST_CASE("tree digest: after random txns of every kind the incremental digest is the "
          "from-scratch one") {
  const uint64_t seed = GENERATE(1, 2, 3, 4, 5, 6, 7, 8);
  INFO("seed " << seed);
  data_tree tree;
  random_txns gen(seed);
  for (int64_t zxid = 1; zxid <= 600; ++zxid) {
    auto t = gen.next(zxid);
    INFO("zxid " << zxid << " type " << t.type);
    tree.apply(t);
    REQUIRE(tree.digest() == compute_tree_digest(tree));
  }
  CHECK(tree.node_count() > 4); // the txns did change the tree
}

TEST_CASE("tree digest: a refused txn and a failed multi leave it unchanged") {
  data_tree tree;
  const auto before = tree.digest();
  auto refused = make_txn(1, op::create2, 0x0100000000000001);
  refused.ops.push_back(create_op("/a", "x", 0));
  refused.refused = error_code::no_auth;
  tree.apply(refused);
  CHECK(tree.digest() == before);
  auto multi = make_txn(2, op::multi, 0x0100000000000001);
  multi.ops.push_back(create_op("/a", "x", 0));
  multi.ops.push_back({op::remove, jute::delete_request{"/missing", -1}});
  tree.apply(multi);
  CHECK(tree.digest() == before);
}

TEST_CASE("tree digest: a snapshot restored, or sent to a learner, gives the same digest") {
  data_tree tree;
  random_txns gen(42);
  for (int64_t zxid = 1; zxid <= 300; ++zxid)
    tree.apply(gen.next(zxid));
  std::string bytes;
  REQUIRE(serialize_snapshot(tree, bytes).ok());
  data_tree loaded;
  REQUIRE(parse_snapshot(bytes, "test", loaded).ok());
  CHECK(loaded.digest() == tree.digest());
  CHECK(loaded.digest() == compute_tree_digest(loaded));
  // And it goes on incrementally from there, as the original does.
  for (int64_t zxid = 301; zxid <= 400; ++zxid) {
    auto t = gen.next(zxid);
    tree.apply(t);
    loaded.apply(t);
  }
  CHECK(loaded.digest() == tree.digest());
  CHECK(loaded.digest() == compute_tree_digest(loaded));
}

TEST_CASE("tree digest: off, a tree keeps none") {
  digests_set_to off(false);
  data_tree tree;
  CHECK_FALSE(tree.digest().has_value());
  auto t = make_txn(1, op::create2, 0x0100000000000001);
  t.ops.push_back(create_op("/a", "x", 0));
  tree.apply(t);
  CHECK_FALSE(tree.digest().has_value());
}
