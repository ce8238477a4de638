// The data tree against ZooKeeper 3.8.0's behaviour, case by case. The expected values were
// measured on the real server (a raw-protocol client against 3.8.0) where noted.
#include "protocol/jute/opcodes.hpp"
#include "store/tree/data_tree.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <pthread.h>
#include <string>
#include <vector>

namespace paddock::store {
// Only the tests compare triggers.
static bool operator==(const watch_trigger& a, const watch_trigger& b) {
  return a.path == b.path && a.type == b.type;
}
} // namespace paddock::store

using namespace paddock;
using namespace paddock::store;
namespace op = jute::opcode;
using jute::event_type;

namespace {

constexpr int64_t s1 = 0x0100000000000001;
constexpr int64_t s2 = 0x0100000000000002;

txn_op create_op(std::string path, std::string data = "", int32_t flags = 0,
                 int32_t type = op::create2, jute::acl_list acls = jute::open_acl_unsafe(),
                 int64_t ttl = -1) {
  return {type,
          jute::create_request{std::move(path), std::move(data), std::move(acls), flags, ttl}};
}
txn_op delete_op(std::string path, int32_t version = -1) {
  return {op::remove, jute::delete_request{std::move(path), version}};
}
txn_op set_op(std::string path, std::string data, int32_t version = -1) {
  return {op::set_data, jute::set_data_request{std::move(path), std::move(data), version}};
}
txn_op check_op(std::string path, int32_t version) {
  return {op::check, jute::check_version_request{std::move(path), version}};
}
txn_op set_acl_op(std::string path, jute::acl_list acls, int32_t version = -1) {
  return {op::set_acl, jute::set_acl_request{std::move(path), std::move(acls), version}};
}

struct fixture {
  data_tree tree;
  int64_t zxid = 0;

  fixture() { open(s1); }

  txn base(int32_t type, int64_t session = s1) {
    txn t;
    t.zxid = ++zxid;
    t.time_ms = 1000 + zxid;
    t.session_id = session;
    t.type = type;
    return t;
  }
  apply_result open(int64_t session, int32_t timeout = 30000) {
    txn t = base(op::create_session, session);
    t.session_timeout_ms = timeout;
    return tree.apply(t);
  }
  apply_result close(int64_t session) { return tree.apply(base(op::close_session, session)); }
  apply_result single(txn_op o, int64_t session = s1, std::vector<jute::id> auth = {}) {
    txn t = base(o.type, session);
    t.auth = std::make_shared<const std::vector<jute::id>>(std::move(auth));
    t.ops.push_back(std::move(o));
    return tree.apply(t);
  }
  apply_result create(std::string path, std::string data = "", int32_t flags = 0,
                      int64_t session = s1) {
    return single(create_op(std::move(path), std::move(data), flags), session);
  }
  error_code create_err(std::string path, int32_t flags = 0, int64_t session = s1) {
    return create(std::move(path), "", flags, session).err;
  }
  apply_result remove(std::string path, int32_t version = -1) {
    return single(delete_op(std::move(path), version));
  }
  apply_result set(std::string path, std::string data, int32_t version = -1) {
    return single(set_op(std::move(path), std::move(data), version));
  }
  apply_result multi(std::vector<txn_op> ops, int64_t session = s1) {
    txn t = base(op::multi, session);
    t.ops = std::move(ops);
    return tree.apply(t);
  }
  jute::stat stat(std::string_view path) {
    jute::stat s;
    REQUIRE(tree.exists(path, s) == error_code::ok);
    return s;
  }
  bool exists(std::string_view path) {
    jute::stat s;
    return tree.exists(path, s) == error_code::ok;
  }
};

std::vector<error_code> errors_of(const apply_result& r) {
  std::vector<error_code> out;
  for (const auto& x : r.results)
    out.push_back(x.err);
  return out;
}

} // namespace

TEST_CASE("a fresh tree looks like a fresh ZooKeeper 3.8.0", "[data_tree]") {
  data_tree tree;
  jute::stat s;
  REQUIRE(tree.exists("/", s) == error_code::ok);
  CHECK(s == jute::stat{0, 0, 0, 0, 0, -1, 0, 0, 0, 1, 0}); // cversion -1: 0*2 - 1 child
  REQUIRE(tree.exists("", s) == error_code::ok);            // "" is the root's alias
  CHECK(s.num_children == 1);
  REQUIRE(tree.exists("/zookeeper", s) == error_code::ok);
  CHECK(s.cversion == -2);
  CHECK(s.num_children == 2);
  REQUIRE(tree.exists("/zookeeper/quota", s) == error_code::ok);
  CHECK(s == jute::stat{});
  jute::acl_list acls;
  REQUIRE(tree.get_acl("/zookeeper/config", acls, s) == error_code::ok);
  CHECK(acls == jute::read_acl_unsafe());
  CHECK(s.aversion == -1);
  REQUIRE(tree.get_acl("/", acls, s) == error_code::ok);
  CHECK(acls == jute::open_acl_unsafe());
  std::vector<std::string> children;
  REQUIRE(tree.get_children("/zookeeper", children, nullptr) == error_code::ok);
  std::sort(children.begin(), children.end());
  CHECK(children == std::vector<std::string>{"config", "quota"});
  CHECK(tree.node_count() == 4);
  CHECK(tree.zookeeper_node_count() == 5);   // mntr zk_znode_count
  CHECK(tree.approximate_data_size() == 44); // mntr zk_approximate_data_size
  CHECK(tree.last_zxid() == 0);
  CHECK(tree.acl_count() == 2);
}

TEST_CASE("create, setData, delete: stats and versions", "[data_tree]") {
  fixture f;
  auto r = f.create("/a", "xy");
  REQUIRE(r.err == error_code::ok);
  REQUIRE(r.results.size() == 1);
  CHECK(r.results[0].type == op::create2);
  CHECK(r.results[0].path == "/a");
  int64_t cz = f.zxid;
  CHECK(r.results[0].stat == jute::stat{cz, cz, 1000 + cz, 1000 + cz, 0, 0, 0, 0, 2, 0, cz});
  auto root = f.stat("/");
  CHECK(root.pzxid == cz);
  CHECK(root.cversion == 2 * 1 - 2); // one child created; children: zookeeper, a
  CHECK(f.tree.approximate_data_size() == 44 + 2 + 2);

  auto s = f.set("/a", "hello");
  REQUIRE(s.err == error_code::ok);
  int64_t mz = f.zxid;
  CHECK(s.results[0].stat == jute::stat{cz, mz, 1000 + cz, 1000 + mz, 1, 0, 0, 0, 5, 0, cz});
  CHECK(f.tree.approximate_data_size() == 44 + 2 + 5);
  CHECK(f.set("/a", "x", 0).err == error_code::bad_version);
  CHECK(f.set("/a", "x", 1).err == error_code::ok);
  CHECK(f.stat("/a").version == 2);

  REQUIRE(f.create("/a/b").err == error_code::ok);
  REQUIRE(f.create("/a/c").err == error_code::ok);
  CHECK(f.stat("/a").cversion == 2);
  CHECK(f.remove("/a").err == error_code::not_empty);
  CHECK(f.remove("/a/b", 5).err == error_code::bad_version);
  REQUIRE(f.remove("/a/b", 0).err == error_code::ok);
  auto a = f.stat("/a");
  CHECK(a.cversion == 3); // 2 creates + 1 delete
  CHECK(a.num_children == 1);
  CHECK(a.pzxid == f.zxid);
  CHECK(a.mzxid == mz + 2); // the last setData; children do not touch mzxid
  CHECK(f.remove("/a/b").err == error_code::no_node);

  // setData on the root is allowed and counted once in the approximate size.
  auto before = f.tree.approximate_data_size();
  CHECK(f.set("/", "root").err == error_code::ok);
  CHECK(f.tree.approximate_data_size() == before + 4);
}

TEST_CASE("setACL: aversion, no watch, ACL sharing", "[data_tree]") {
  fixture f;
  REQUIRE(f.create("/a").err == error_code::ok);
  jute::acl_list digest{{jute::perms::all, {"digest", "u:p"}}};
  auto r = f.single(set_acl_op("/a", digest, 7));
  CHECK(r.err == error_code::bad_version);
  r = f.single(set_acl_op("/a", digest, 0));
  REQUIRE(r.err == error_code::ok);
  CHECK(r.results[0].stat.aversion == 1);
  CHECK(r.triggers.empty());
  jute::acl_list got;
  jute::stat s;
  REQUIRE(f.tree.get_acl("/a", got, s) == error_code::ok);
  CHECK(got == digest);
  CHECK(f.tree.acl_count() == 3);
  // Without the digest id the node is now closed to setData and setACL.
  CHECK(f.set("/a", "x").err == error_code::no_auth);
  CHECK(f.single(set_acl_op("/a", jute::open_acl_unsafe(), 9)).err == error_code::no_auth);
  r = f.single(set_acl_op("/a", jute::open_acl_unsafe()), s1, {{"digest", "u:p"}});
  CHECK(r.err == error_code::ok);
  CHECK(f.tree.acl_count() == 2); // the digest list had one use
}

TEST_CASE("sequential names follow the parent's stored cversion", "[data_tree]") {
  fixture f;
  // The real-server sequence: create /p, create + delete /p/a, then seq -> ...0001, ...0002,
  // a failed create does not count, then ...0003.
  REQUIRE(f.create("/p").err == error_code::ok);
  REQUIRE(f.create("/p/a").err == error_code::ok);
  REQUIRE(f.remove("/p/a").err == error_code::ok);
  CHECK(f.create("/p/s-", "", jute::create_mode::persistent_sequential).results[0].path ==
        "/p/s-0000000001");
  CHECK(f.create("/p/s-", "", jute::create_mode::persistent_sequential).results[0].path ==
        "/p/s-0000000002");
  CHECK(f.create_err("/p/s-0000000001") == error_code::node_exists);
  CHECK(f.create("/p/s-", "", jute::create_mode::ephemeral_sequential).results[0].path ==
        "/p/s-0000000003");
  CHECK(f.stat("/p").cversion == 5);
  // An empty prefix is fine: "/p/" + suffix is a valid path.
  CHECK(f.create("/p/", "", jute::create_mode::persistent_sequential).results[0].path ==
        "/p/0000000004");
}

TEST_CASE("path errors in ZooKeeper's order", "[data_tree]") {
  fixture f;
  REQUIRE(f.create("/a").err == error_code::ok);
  CHECK(f.create_err("/") == error_code::node_exists);
  CHECK(f.create_err("/missing/a//b") == error_code::no_node); // parent lookup first
  CHECK(f.create_err("abc") == error_code::bad_arguments);     // no slash
  CHECK(f.create_err("abc/def") == error_code::no_node);       // parent "abc" does not exist
  CHECK(f.create_err("") == error_code::bad_arguments);
  CHECK(f.create_err("/a/") == error_code::bad_arguments);
  CHECK(f.create_err("/a/.") == error_code::bad_arguments);
  CHECK(f.create_err("/a/..") == error_code::bad_arguments);
  CHECK(f.create_err("/a/...") == error_code::ok);
  CHECK(f.create_err(std::string("/a/x\0y", 6)) == error_code::bad_arguments);
  CHECK(f.create_err(std::string("/missing/x\0y", 12)) == error_code::bad_arguments);
  CHECK(f.create_err("/a/\xff") == error_code::bad_arguments);
  CHECK(f.create_err("/a/\xf0\x9f\x98\x80") == error_code::bad_arguments);
  CHECK(f.create_err("/a/\xc3\xa9") == error_code::ok);
  CHECK(f.create_err("/a/x", 7) == error_code::bad_arguments);        // unknown mode
  CHECK(f.create_err("/missing/x", -1) == error_code::bad_arguments); // mode before parent

  CHECK(f.remove("/").err == error_code::bad_arguments);
  CHECK(f.remove("/zookeeper").err == error_code::bad_arguments);
  CHECK(f.remove("/zookeeper/quota").err == error_code::bad_arguments);
  CHECK(f.remove("/zookeeper/config").err == error_code::bad_arguments);
  CHECK(f.remove("").err == error_code::bad_arguments);
  CHECK(f.remove("a").err == error_code::bad_arguments);
  CHECK(f.remove("/a/").err == error_code::no_node); // delete does not validate the path
  CHECK(f.remove("/nonexist", 5).err == error_code::no_node);

  CHECK(f.set("", "x").err == error_code::bad_arguments);
  CHECK(f.set("/a/", "x").err == error_code::bad_arguments);
  CHECK(f.set("/missing/", "x").err == error_code::bad_arguments);
  CHECK(f.set("/missing", "x").err == error_code::no_node);
  CHECK(f.single(set_acl_op("/a/", jute::open_acl_unsafe())).err == error_code::bad_arguments);

  // /zookeeper accepts children and data; /zookeeper/config is read-only for the world.
  CHECK(f.create_err("/zookeeper/x") == error_code::ok);
  CHECK(f.set("/zookeeper", "hi").err == error_code::ok);
  CHECK(f.set("/zookeeper/config", "hi").err == error_code::no_auth);
  CHECK(f.stat("/zookeeper").cversion == -1); // stored 1, 3 children
}

TEST_CASE("ACL validation and checks", "[data_tree]") {
  fixture f;
  auto create_with = [&](std::string path, jute::acl_list acls, std::vector<jute::id> auth = {}) {
    return f
        .single(create_op(std::move(path), "", 0, op::create2, std::move(acls)), s1,
                std::move(auth))
        .err;
  };
  using acl = jute::acl;
  CHECK(create_with("/x", {}) == error_code::invalid_acl);
  CHECK(create_with("/x", {acl{31, {"world", "foo"}}}) == error_code::invalid_acl);
  CHECK(create_with("/x", {acl{31, {"foo", "bar"}}}) == error_code::invalid_acl);
  CHECK(create_with("/x", {acl{31, {"auth", ""}}}) == error_code::invalid_acl);
  CHECK(create_with("/x", {acl{31, {"digest", "a"}}}) == error_code::invalid_acl);
  CHECK(create_with("/x", {acl{31, {"digest", "a:"}}}) == error_code::invalid_acl);
  CHECK(create_with("/x", {acl{31, {"digest", "a:b:c"}}}) == error_code::invalid_acl);
  CHECK(create_with("/x", {acl{31, {"ip", "1.2.3.4/33"}}}) == error_code::invalid_acl);
  CHECK(create_with("/x", {acl{31, {"ip", "1.2.3"}}}) == error_code::invalid_acl);
  CHECK(create_with("/x", {acl{31, {"ip", "::1/129"}}}) == error_code::invalid_acl);
  // InvalidACL wins over NoNode, NodeExists and a bad path (fixupACL runs first).
  CHECK(create_with("/missing/x", {}) == error_code::invalid_acl);
  CHECK(create_with("/zookeeper", {}) == error_code::invalid_acl);
  CHECK(create_with("/zookeeper/", {}) == error_code::invalid_acl);
  CHECK(f.single(set_acl_op("/missingz", {})).err == error_code::invalid_acl);

  CHECK(create_with("/d1", {acl{31, {"digest", ":b"}}}) == error_code::ok);
  CHECK(create_with("/p0", {acl{0, {"world", "anyone"}}}) == error_code::ok);
  CHECK(create_with("/p999", {acl{999, {"world", "anyone"}}}) == error_code::ok);
  CHECK(create_with("/dup", {acl{31, {"world", "anyone"}}, acl{31, {"world", "anyone"}},
                             acl{1, {"digest", "u:p"}}}) == error_code::ok);
  jute::acl_list got;
  jute::stat s;
  REQUIRE(f.tree.get_acl("/dup", got, s) == error_code::ok);
  CHECK(got == jute::acl_list{acl{31, {"world", "anyone"}}, acl{1, {"digest", "u:p"}}});
  // "auth" expands to the session's digest ids only.
  CHECK(create_with("/au", {acl{31, {"auth", ""}}}, {{"ip", "127.0.0.1"}, {"digest", "u:h"}}) ==
        error_code::ok);
  REQUIRE(f.tree.get_acl("/au", got, s) == error_code::ok);
  CHECK(got == jute::acl_list{acl{31, {"digest", "u:h"}}});

  CHECK(f.create_err("/p0/x") == error_code::no_auth); // no CREATE on the parent
  REQUIRE(create_with("/nodel", {acl{23, {"world", "anyone"}}}) == error_code::ok); // no DELETE
  REQUIRE(f.create_err("/nodel/c") == error_code::ok);
  CHECK(f.remove("/nodel/c").err == error_code::no_auth);
  CHECK(f.remove("/nodel/zz").err == error_code::no_auth); // before the node lookup
  REQUIRE(create_with("/nowrite", {acl{29, {"world", "anyone"}}}) == error_code::ok);
  CHECK(f.set("/nowrite", "x", 5).err == error_code::no_auth); // before the version check
  // ip ids match by subnet; super passes everything.
  REQUIRE(create_with("/net", {acl{31, {"ip", "10.1.0.0/16"}}}) == error_code::ok);
  CHECK(f.single(set_op("/net", "x"), s1, {{"ip", "10.1.2.3"}}).err == error_code::ok);
  CHECK(f.single(set_op("/net", "x"), s1, {{"ip", "10.2.2.3"}}).err == error_code::no_auth);
  CHECK(f.single(set_op("/net", "x"), s1, {{"super", ""}}).err == error_code::ok);
}

TEST_CASE("ephemerals: owner, NoChildrenForEphemerals, cleanup on closeSession", "[data_tree]") {
  fixture f;
  REQUIRE(f.open(s2).err == error_code::ok);
  REQUIRE(f.create("/app").err == error_code::ok);
  REQUIRE(f.create("/app/e1", "", jute::create_mode::ephemeral).err == error_code::ok);
  REQUIRE(f.create("/app/e2", "abc", jute::create_mode::ephemeral, s2).err == error_code::ok);
  REQUIRE(f.create("/e3", "", jute::create_mode::ephemeral_sequential).err == error_code::ok);
  CHECK(f.stat("/app/e1").ephemeral_owner == s1);
  CHECK(f.stat("/app/e2").ephemeral_owner == s2);
  CHECK(f.tree.ephemeral_count() == 3);
  CHECK(f.tree.ephemerals_of(s1) == std::vector<std::string>{"/app/e1", "/e30000000001"});

  CHECK(f.create_err("/app/e1/x") == error_code::no_children_for_ephemerals);
  CHECK(f.create_err("/app/e1/x", jute::create_mode::persistent_sequential) ==
        error_code::no_children_for_ephemerals);
  CHECK(f.create_err("/app/e1") == error_code::node_exists); // NodeExists is checked first

  auto size_before = f.tree.approximate_data_size();
  auto r = f.close(s1);
  CHECK(r.err == error_code::ok);
  CHECK(r.results.empty());
  CHECK(r.triggers == std::vector<watch_trigger>{{"/app/e1", event_type::node_deleted},
                                                 {"/app", event_type::node_children_changed},
                                                 {"/e30000000001", event_type::node_deleted},
                                                 {"/", event_type::node_children_changed}});
  CHECK_FALSE(f.exists("/app/e1"));
  CHECK(f.exists("/app/e2"));
  CHECK(f.stat("/app").pzxid == f.zxid);
  CHECK(f.tree.ephemeral_count() == 1);
  CHECK(f.tree.approximate_data_size() == size_before - 7 - 13);
  CHECK_FALSE(f.tree.has_session(s1));
  CHECK(f.tree.session_count() == 1);
  CHECK(f.tree.sessions() == std::vector<store::session_entry>{{s2, 30000, ""}});
  // A closed session's writes are refused.
  CHECK(f.create_err("/late") == error_code::session_expired);
  CHECK(f.close(s1).err == error_code::ok); // closing an unknown session changes nothing
}

TEST_CASE("session checks", "[data_tree]") {
  fixture f;
  constexpr int64_t unknown = 0x77;
  REQUIRE(f.create("/a").err == error_code::ok);
  CHECK(f.create_err("/b", 0, unknown) == error_code::session_expired);
  CHECK(f.create_err("/b", jute::create_mode::ephemeral, unknown) == error_code::session_expired);
  CHECK(f.create_err("/b", 0, 0) == error_code::session_expired);
  // Mode errors come before the session check, path errors after it.
  CHECK(f.create_err("/b", 9, unknown) == error_code::bad_arguments);
  CHECK(f.create_err("bad", 0, unknown) == error_code::session_expired);
  CHECK(f.single(delete_op("/"), unknown).err == error_code::session_expired);
  CHECK(f.single(set_op("bad", "x"), unknown).err == error_code::session_expired);
  auto m = f.multi({create_op("/c")}, unknown);
  CHECK(m.err == multi_reply_err);
  CHECK(errors_of(m) == std::vector<error_code>{error_code::session_expired});
  CHECK_FALSE(f.exists("/b"));
  CHECK(f.open(unknown, 5000).err == error_code::ok);
  CHECK(f.create_err("/b", 0, unknown) == error_code::ok);
}

TEST_CASE("containers and TTL nodes", "[data_tree]") {
  fixture f;
  auto r = f.single(create_op("/c", "", jute::create_mode::container, op::create_container));
  REQUIRE(r.err == error_code::ok);
  CHECK(r.results[0].stat.ephemeral_owner == 0); // clients see 0
  CHECK(f.tree.containers() == std::vector<std::string>{"/c"});
  CHECK(f.create_err("/c/x") == error_code::ok); // containers take children

  // create2 with the container flag makes a plain persistent node, as ZooKeeper does.
  REQUIRE(f.create("/notc", "", jute::create_mode::container).err == error_code::ok);
  CHECK(f.tree.containers() == std::vector<std::string>{"/c"});

  auto ttl = [&](std::string path, int32_t flags, int64_t ms, int32_t type = op::create_ttl) {
    return f.single(create_op(std::move(path), "", flags, type, jute::open_acl_unsafe(), ms));
  };
  CHECK(ttl("/t0", jute::create_mode::persistent_with_ttl, 0).err == error_code::bad_arguments);
  CHECK(ttl("/t2", jute::create_mode::persistent_with_ttl, int64_t{1} << 40).err ==
        error_code::bad_arguments);
  CHECK(ttl("/t5", jute::create_mode::persistent, -1).err == error_code::bad_arguments);
  CHECK(ttl("/t6", jute::create_mode::persistent, 5).err == error_code::bad_arguments);
  CHECK(ttl("/t8", jute::create_mode::persistent_with_ttl, 100, op::create2).err ==
        error_code::bad_arguments);
  r = ttl("/t1", jute::create_mode::persistent_with_ttl, 1000);
  REQUIRE(r.err == error_code::ok);
  CHECK(r.results[0].stat.ephemeral_owner == 0);
  CHECK(f.tree.ttl_of("/t1") == 1000);
  CHECK(ttl("/t3", jute::create_mode::persistent_with_ttl, (int64_t{1} << 40) - 1).err ==
        error_code::ok);
  r = ttl("/t4-", jute::create_mode::persistent_sequential_with_ttl, 1000);
  REQUIRE(r.err == error_code::ok);
  CHECK(r.results[0].path.starts_with("/t4-00000000"));
  CHECK(f.tree.ttl_nodes().size() == 3);
  CHECK(f.create_err("/t1/x") == error_code::ok); // TTL nodes take children
  REQUIRE(f.remove("/t1/x").err == error_code::ok);
  REQUIRE(f.remove("/t1").err == error_code::ok);
  CHECK(f.tree.ttl_nodes().size() == 2);
  CHECK(f.tree.ttl_of("/t1") == 0);
}

TEST_CASE("watch triggers in ZooKeeper's order", "[data_tree]") {
  fixture f;
  auto r = f.create("/a");
  CHECK(r.triggers == std::vector<watch_trigger>{{"/a", event_type::node_created},
                                                 {"/", event_type::node_children_changed}});
  r = f.create("/a/b");
  CHECK(r.triggers == std::vector<watch_trigger>{{"/a/b", event_type::node_created},
                                                 {"/a", event_type::node_children_changed}});
  r = f.set("/a/b", "x");
  CHECK(r.triggers == std::vector<watch_trigger>{{"/a/b", event_type::node_data_changed}});
  r = f.remove("/a/b");
  CHECK(r.triggers == std::vector<watch_trigger>{{"/a/b", event_type::node_deleted},
                                                 {"/a", event_type::node_children_changed}});
  CHECK(f.create("/a/b/c").triggers.empty()); // failures trigger nothing
}

TEST_CASE("multi: success, dependencies between ops, results", "[data_tree]") {
  fixture f;
  auto r = f.multi({create_op("/m", "", 0, op::create), create_op("/m/a"), set_op("/m", "d"),
                    check_op("/m", 1), delete_op("/m/a")});
  REQUIRE(r.err == error_code::ok);
  REQUIRE(r.results.size() == 5);
  CHECK(r.results[0].type == op::create);
  CHECK(r.results[0].path == "/m");
  CHECK(r.results[1].type == op::create2);
  CHECK(r.results[2].type == op::set_data);
  int64_t z = f.zxid;
  CHECK(r.results[2].stat == jute::stat{z, z, 1000 + z, 1000 + z, 1, 1, 0, 0, 1, 1, z});
  CHECK(r.results[3].type == op::check);
  CHECK(r.results[4].type == op::remove);
  CHECK(r.triggers == std::vector<watch_trigger>{{"/m", event_type::node_created},
                                                 {"/", event_type::node_children_changed},
                                                 {"/m/a", event_type::node_created},
                                                 {"/m", event_type::node_children_changed},
                                                 {"/m", event_type::node_data_changed},
                                                 {"/m/a", event_type::node_deleted},
                                                 {"/m", event_type::node_children_changed}});
  auto m = f.stat("/m");
  CHECK(m.cversion == 2);
  CHECK(m.num_children == 0);

  // Delete then create the same path in one multi.
  r = f.multi({delete_op("/m"), create_op("/m", "new")});
  REQUIRE(r.err == error_code::ok);
  std::string data;
  jute::stat s;
  REQUIRE(f.tree.get_data("/m", data, s) == error_code::ok);
  CHECK(data == "new");
  CHECK(s.czxid == f.zxid);

  // Sequential creates in one multi see each other.
  r = f.multi({create_op("/m/s-", "", 2, op::create), create_op("/m/s-", "", 2, op::create),
               create_op("/m/s-", "", 2)});
  REQUIRE(r.err == error_code::ok);
  CHECK(r.results[0].path == "/m/s-0000000000");
  CHECK(r.results[1].path == "/m/s-0000000001");
  CHECK(r.results[2].path == "/m/s-0000000002");

  // An empty multi consumes its zxid and does nothing.
  auto count = f.tree.node_count();
  r = f.multi({});
  CHECK(r.err == error_code::ok);
  CHECK(r.results.empty());
  CHECK(f.tree.node_count() == count);
  CHECK(f.tree.last_zxid() == f.zxid);

  // A create of an ephemeral and a child under it in one multi.
  r = f.multi({create_op("/e", "", jute::create_mode::ephemeral), create_op("/e/x")});
  CHECK(errors_of(r) ==
        std::vector<error_code>{error_code::ok, error_code::no_children_for_ephemerals});
}

TEST_CASE("multi: rollback at each position", "[data_tree]") {
  std::vector<txn_op> good{create_op("/r"), create_op("/r/a"), set_op("/r", "x"),
                           check_op("/r", 1)};
  for (size_t bad = 0; bad < good.size(); ++bad) {
    fixture f;
    REQUIRE(f.create("/seq").err == error_code::ok);
    auto ops = good;
    ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(bad),
               create_op("/seq/s-", "", jute::create_mode::persistent_sequential));
    ops.push_back(delete_op("/nope"));
    // The failing op is last; also try failing in the middle by a bad version.
    for (int variant = 0; variant < 2; ++variant) {
      auto attempt = ops;
      size_t fail_at = attempt.size() - 1;
      if (variant == 1) {
        fail_at = bad;
        attempt[bad] = check_op("/seq", 99);
      }
      INFO("bad=" << bad << " variant=" << variant);
      auto count = f.tree.node_count();
      auto size = f.tree.approximate_data_size();
      auto seq_before = f.stat("/seq");
      auto root_before = f.stat("/");
      auto r = f.multi(attempt);
      CHECK(r.err == multi_reply_err);
      CHECK(r.triggers.empty());
      REQUIRE(r.results.size() == attempt.size());
      for (size_t i = 0; i < attempt.size(); ++i) {
        CHECK(r.results[i].type == op::error);
        error_code want = i < fail_at ? error_code::ok
                          : i == fail_at
                              ? (variant == 1 ? error_code::bad_version : error_code::no_node)
                              : error_code::runtime_inconsistency;
        CHECK(r.results[i].err == want);
      }
      CHECK(f.tree.node_count() == count);
      CHECK(f.tree.approximate_data_size() == size);
      CHECK(f.stat("/seq") == seq_before);
      CHECK(f.stat("/") == root_before);
      CHECK_FALSE(f.exists("/r"));
      CHECK(f.tree.last_zxid() == f.zxid);
    }
    // The next sequential name is unaffected by the failed multis.
    CHECK(f.create("/seq/s-", "", jute::create_mode::persistent_sequential).results[0].path ==
          "/seq/s-0000000000");
  }
}

TEST_CASE("multi: failing ops report ZooKeeper's errors", "[data_tree]") {
  fixture f;
  REQUIRE(f.create("/m2").err == error_code::ok);
  auto r = f.multi({create_op("/x"), create_op("/x/a"), create_op("/x"), set_op("/x", "x")});
  CHECK(errors_of(r) == std::vector<error_code>{error_code::ok, error_code::ok,
                                                error_code::node_exists,
                                                error_code::runtime_inconsistency});
  CHECK_FALSE(f.exists("/x"));
  r = f.multi({check_op("/nope", 0), create_op("/m3")});
  CHECK(errors_of(r) ==
        std::vector<error_code>{error_code::no_node, error_code::runtime_inconsistency});
  r = f.multi({check_op("/m2", 3)});
  CHECK(errors_of(r) == std::vector<error_code>{error_code::bad_version});
  r = f.multi({delete_op("/m2"), set_op("/m2", "x")});
  CHECK(errors_of(r) == std::vector<error_code>{error_code::ok, error_code::no_node});
  CHECK(f.exists("/m2"));
}

TEST_CASE("last_zxid advances on every txn, failed ones too", "[data_tree]") {
  fixture f;
  CHECK(f.tree.last_zxid() == 1); // createSession
  f.create_err("/missing/x");
  CHECK(f.tree.last_zxid() == 2);
  f.remove("/");
  CHECK(f.tree.last_zxid() == 3);
  f.multi({check_op("/nope", 1)});
  CHECK(f.tree.last_zxid() == 4);
  f.close(0x999);
  CHECK(f.tree.last_zxid() == 5);
  txn old = f.base(op::create_session, 0x5);
  old.zxid = 2; // a replayed older txn never moves last_zxid back
  f.tree.apply(old);
  CHECK(f.tree.last_zxid() == 5);
}

TEST_CASE("reads", "[data_tree]") {
  fixture f;
  REQUIRE(f.create("/r", "data").err == error_code::ok);
  REQUIRE(f.create("/r/a").err == error_code::ok);
  REQUIRE(f.create("/r/b").err == error_code::ok);
  std::vector<std::string> children;
  jute::stat s;
  REQUIRE(f.tree.get_children("/r", children, &s) == error_code::ok);
  std::sort(children.begin(), children.end());
  CHECK(children == std::vector<std::string>{"a", "b"});
  CHECK(s.num_children == 2);
  CHECK(f.tree.get_children("/nope", children, nullptr) == error_code::no_node);
  std::string data;
  CHECK(f.tree.get_data("/r/", data, s) == error_code::no_node);
  CHECK(f.tree.get_data("r", data, s) == error_code::no_node);
  CHECK(f.tree.get_data("/r//a", data, s) == error_code::no_node);
  REQUIRE(f.tree.get_data("/r", data, s) == error_code::ok);
  CHECK(data == "data");
  int64_t mz = 0, pz = 0;
  REQUIRE(f.tree.zxids("/r", mz, pz));
  CHECK(mz == s.mzxid);
  CHECK(pz == f.zxid);
  CHECK_FALSE(f.tree.zxids("/nope", mz, pz));
}

TEST_CASE("a deep chain of znodes is destroyed without recursion", "[data_tree]") {
  // Build and destroy a 5000-deep chain on a thread with a 64 KiB stack: recursive
  // destruction (several frames per level) would overflow it.
  struct job {
    size_t nodes = 0;
    bool ok = true;
  } j;
  auto body = [](void* arg) -> void* {
    auto& jb = *static_cast<job*>(arg);
    auto f = std::make_unique<fixture>();
    std::string path;
    for (int i = 0; i < 5000 && jb.ok; ++i) {
      path += "/a";
      jb.ok = f->create(path).err == error_code::ok;
    }
    jb.nodes = f->tree.node_count();
    f.reset();
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_t thread;
  REQUIRE(pthread_create(&thread, &attr, body, &j) == 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  CHECK(j.ok);
  CHECK(j.nodes == 5004);
}
