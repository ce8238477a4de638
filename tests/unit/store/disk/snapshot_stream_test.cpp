// snapshot_stream and the tree's copy-on-write cursor under it: a snapshot produced slice by
// slice while random txns change the tree between slices loads back as exactly the tree at
// the zxid where it began, and the changes made meanwhile are unaffected by it.
#include "scratch_dir.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/snapshot.hpp"
#include "store/disk/snapshot_stream.hpp"
#include "tree_description.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <sstream>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::describe_tree;
namespace op = jute::opcode;

namespace {

const std::vector<jute::acl_list>& acl_choices() {
  static const std::vector<jute::acl_list> lists = {
      jute::open_acl_unsafe(),
      jute::read_acl_unsafe(),
      {{31, {"world", "anyone"}}, {1, {"ip", "10.0.0.1"}}},
  };
  return lists;
}

// Random txns over a small name space, so creates collide, deletes find children, names come
// back after a delete, and sessions close with their ephemerals.
class txn_source {
public:
  explicit txn_source(uint32_t seed) : rng_(seed) {}

  // Applies the next random txn to every tree in `trees`.
  void step(std::initializer_list<data_tree*> trees) {
    txn t = next();
    t.zxid = ++zxid_;
    t.time_ms = 1000 + zxid_;
    for (auto* tree : trees) {
      auto r = tree->apply(t);
      if (tree == *trees.begin())
        for (const auto& o : r.results)
          if (!o.path.empty() && o.err == error_code::ok) remember(o.path);
    }
  }

  // Sets /zookeeper/config outside a txn, as a server activating a configuration does.
  void config(std::initializer_list<data_tree*> trees) {
    auto data = "server.1=127.0.0.1:2888:3888:participant;" + std::to_string(pick(1000));
    for (auto* tree : trees)
      tree->set_config_node(data, zxid_, 5000 + zxid_);
  }

  int64_t zxid() const { return zxid_; }

private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  void remember(const std::string& path) {
    if (std::find(paths_.begin(), paths_.end(), path) == paths_.end()) paths_.push_back(path);
  }

  std::string some_path() { return paths_[static_cast<size_t>(pick(int(paths_.size())))]; }

  std::string data() {
    static const char* words[] = {"", "a", "bb", "some data", "0123456789abcdef"};
    return words[pick(5)];
  }

  txn_op create_op() {
    std::string parent = some_path();
    std::string path = (parent == "/" ? "" : parent) + "/" + std::string(1, char('a' + pick(4)));
    static const int32_t flags[] = {0, 0, 0, 1, 2, 3, 4, 5};
    int32_t f = flags[pick(8)];
    jute::create_request req{path, data(), acl_choices()[size_t(pick(3))], f, -1};
    req.data_is_null = pick(10) == 0;
    if (req.data_is_null) req.data.clear();
    int32_t type = f == 4 ? op::create_container : op::create2;
    if (f == 5) {
      type = op::create_ttl;
      req.ttl = 60000;
    }
    return {type, req};
  }

  txn_op write_op() {
    switch (pick(4)) {
    case 0: return create_op();
    case 1: return {op::remove, jute::delete_request{some_path(), -1}};
    case 2: return {op::set_data, jute::set_data_request{some_path(), data(), -1}};
    default:
      return {op::set_acl, jute::set_acl_request{some_path(), acl_choices()[size_t(pick(3))], -1}};
    }
  }

  txn next() {
    txn t;
    t.session_id = sessions_[size_t(pick(int(sessions_.size())))];
    int kind = pick(20);
    if (kind == 0) { // a new session
      t.type = op::create_session;
      t.session_id = next_session_++;
      t.session_timeout_ms = 4000 + pick(4) * 1000;
      t.session_passwd = std::string(16, char('A' + pick(26)));
      sessions_.push_back(t.session_id);
      return t;
    }
    if (kind == 1 && sessions_.size() > 1) { // a session closes: its ephemerals go
      t.type = op::close_session;
      return t;
    }
    if (kind <= 4) {
      t.type = op::multi;
      int n = 1 + pick(3);
      for (int i = 0; i < n; ++i)
        t.ops.push_back(write_op());
      return t;
    }
    t.ops.push_back(write_op());
    t.type = t.ops.front().type;
    return t;
  }

  std::mt19937 rng_;
  int64_t zxid_ = 0;
  int64_t next_session_ = 0x100;
  std::vector<int64_t> sessions_;
  std::vector<std::string> paths_ = {"/", "/zookeeper/quota"};

public:
  // Sessions and a quota on /a (its stats znode changes with every write below /a).
  void setup(std::initializer_list<data_tree*> trees) {
    auto apply = [&](txn t) {
      t.zxid = ++zxid_;
      t.time_ms = 1000 + zxid_;
      for (auto* tree : trees)
        REQUIRE(tree->apply(t).err == error_code::ok);
    };
    for (int i = 0; i < 3; ++i) {
      txn t;
      t.type = op::create_session;
      t.session_id = next_session_++;
      t.session_timeout_ms = 30000;
      t.session_passwd = std::string(16, 'p');
      sessions_.push_back(t.session_id);
      apply(t);
    }
    for (const char* path : {"/a", "/zookeeper/quota/a", "/zookeeper/quota/a/zookeeper_limits",
                             "/zookeeper/quota/a/zookeeper_stats"}) {
      std::string p = path;
      std::string d = p.ends_with("limits")  ? "count=5,bytes=-1"
                      : p.ends_with("stats") ? "count=0,bytes=0"
                                             : "";
      txn t;
      t.type = op::create;
      t.session_id = sessions_[0];
      t.ops.push_back({op::create, jute::create_request{p, d, jute::open_acl_unsafe(), 0, -1}});
      apply(t);
      if (p == "/a") remember(p);
    }
  }
};

posix_file_system disk;

} // namespace

TEST_CASE("a streamed snapshot is the tree as it was when it began, whatever changes meanwhile") {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    std::mt19937 rng(seed * 7919);
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    data_tree tree, twin; // the twin takes the same txns, never a snapshot
    txn_source src(seed);
    src.setup({&tree, &twin});
    const int before = 20 + pick(300);
    for (int i = 0; i < before; ++i)
      src.step({&tree, &twin});

    std::string expected_bytes;
    REQUIRE(serialize_snapshot(tree, expected_bytes).ok());
    data_tree expected;
    REQUIRE(parse_snapshot(expected_bytes, "expected", expected).ok());

    snapshot_stream stream(tree);
    CHECK(stream.zxid() == src.zxid());
    std::string bytes;
    while (!stream.done()) {
      REQUIRE(stream.next(tree, size_t(1 + pick(12)), bytes).ok());
      for (int k = pick(12); k > 0; --k)
        src.step({&tree, &twin});
      if (pick(30) == 0) src.config({&tree, &twin});
    }
    CHECK_FALSE(tree.snapshot_in_progress());
    CHECK(stream.bytes() == bytes.size());

    data_tree got;
    auto st = parse_snapshot(bytes, "streamed", got);
    INFO(st.message);
    REQUIRE(st.ok());
    CHECK(got.last_zxid() == expected.last_zxid());
    CHECK(describe_tree(got) == describe_tree(expected));
    // The snapshot changed nothing in the tree it was taken from.
    CHECK(describe_tree(tree) == describe_tree(twin));
  }
}

TEST_CASE("a streamed snapshot of a tree that does not change equals the one-shot one") {
  data_tree tree;
  txn_source src(42);
  src.setup({&tree});
  for (int i = 0; i < 500; ++i)
    src.step({&tree});
  std::string one_shot, streamed;
  REQUIRE(serialize_snapshot(tree, one_shot).ok());
  snapshot_stream stream(tree);
  while (!stream.done())
    REQUIRE(stream.next(tree, 7, streamed).ok());
  data_tree a, b;
  REQUIRE(parse_snapshot(one_shot, "one-shot", a).ok());
  REQUIRE(parse_snapshot(streamed, "streamed", b).ok());
  CHECK(describe_tree(a) == describe_tree(b));
  // Same frames, possibly in another sibling order: the same size.
  CHECK(one_shot.size() == streamed.size());
}

TEST_CASE("a snapshot written piece by piece is only listed once renamed into place") {
  paddock::testing::scratch_dir d;
  data_tree tree;
  txn_source src(7);
  src.setup({&tree});
  for (int i = 0; i < 100; ++i)
    src.step({&tree});
  snapshot_stream stream(tree);
  {
    snapshot_file_writer file(disk, d.path(), stream.zxid());
    REQUIRE(file.open().ok());
    std::string slice;
    REQUIRE(stream.next(tree, 10, slice).ok());
    REQUIRE(file.append(slice).ok());
    CHECK(list_snapshots(disk, d.path()).empty()); // a .tmp is no snapshot
  }                                                // abandoned: the .tmp goes
  std::vector<std::string> names;
  REQUIRE(disk.list(d.path(), names).ok());
  CHECK(names.empty());

  tree.end_snapshot();
  snapshot_stream again(tree);
  snapshot_file_writer file(disk, d.path(), again.zxid());
  REQUIRE(file.open().ok());
  while (!again.done()) {
    std::string slice;
    REQUIRE(again.next(tree, 10, slice).ok());
    REQUIRE(file.append(slice).ok());
    src.step({&tree});
  }
  REQUIRE(file.finish().ok());
  auto snaps = list_snapshots(disk, d.path());
  REQUIRE(snaps.size() == 1);
  CHECK(snaps[0].zxid == again.zxid());
  data_tree loaded;
  REQUIRE(load_snapshot(disk, snaps[0].path, loaded).ok());
  CHECK(loaded.last_zxid() == again.zxid());
}
