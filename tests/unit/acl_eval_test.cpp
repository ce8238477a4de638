// ACL evaluation as ZooKeeper 3.8.0 decides it: each permission bit against each scheme
// (world, digest, ip exact and CIDR, "auth" expanded at create time, super), whoAmI's view of
// a session's ids, the super digest config key, and a multi whose middle op lacks permission.
#include "config/zoo_config.hpp"
#include "protocol/jute/opcodes.hpp"
#include "store/acl.hpp"
#include "store/data_tree.hpp"
#include "store/digest_auth.hpp"
#include "store/snapshot.hpp"
#include "store/who_am_i.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <variant>
#include <vector>

using namespace paddock;
using namespace paddock::store;
namespace op = jute::opcode;
namespace perms = jute::perms;

namespace {

constexpr int32_t every_perm[] = {perms::read, perms::write, perms::create, perms::remove,
                                  perms::admin};

struct scheme_case {
  const char* name;
  jute::id acl_id;           // the id the ACL names
  std::vector<jute::id> yes; // a session holding these ids matches it
  std::vector<jute::id> no;  // a session holding these does not (none for world)
};

std::vector<scheme_case> scheme_cases() {
  const std::string alice = digest_identity("alice:pw");
  return {
      {"world", {"world", "anyone"}, {{"ip", "10.0.0.1"}}, {}},
      {"digest",
       {"digest", alice},
       {{"ip", "127.0.0.1"}, {"digest", alice}},
       {{"ip", "127.0.0.1"}, {"digest", digest_identity("alice:wrong")}}},
      {"ip exact", {"ip", "192.168.1.7"}, {{"ip", "192.168.1.7"}}, {{"ip", "192.168.1.8"}}},
      {"ip /24", {"ip", "192.168.1.0/24"}, {{"ip", "192.168.1.200"}}, {{"ip", "192.168.2.1"}}},
      {"ip /0", {"ip", "0.0.0.0/0"}, {{"ip", "8.8.8.8"}}, {}},
      {"ip /31 odd", {"ip", "10.0.0.3/31"}, {{"ip", "10.0.0.2"}}, {{"ip", "10.0.0.4"}}},
      // An ip id never matches a digest id with the same text, nor the other way round.
      {"scheme must match", {"digest", "10.0.0.1"}, {{"digest", "10.0.0.1"}}, {{"ip", "10.0.0.1"}}},
  };
}

struct tree_fixture {
  data_tree tree;
  int64_t zxid = 0;
  static constexpr int64_t session = 0x0100000000000001;
  tree_fixture() {
    txn t = base(op::create_session);
    t.session_timeout_ms = 30000;
    tree.apply(t);
  }
  txn base(int32_t type) {
    txn t;
    t.zxid = ++zxid;
    t.time_ms = 1000 + zxid;
    t.session_id = session;
    t.type = type;
    return t;
  }
  apply_result run(int32_t type, std::vector<txn_op> ops, std::vector<jute::id> auth) {
    txn t = base(type);
    t.auth = std::make_shared<const std::vector<jute::id>>(std::move(auth));
    t.ops = std::move(ops);
    return tree.apply(t);
  }
};

txn_op create_op(std::string path, jute::acl_list acls = jute::open_acl_unsafe()) {
  return {op::create, jute::create_request{std::move(path), "", std::move(acls), 0, -1}};
}

} // namespace

TEST_CASE("each permission against each scheme", "[acl]") {
  for (const auto& c : scheme_cases()) {
    for (int32_t granted : every_perm) {
      jute::acl_list acl{{granted, c.acl_id}};
      for (int32_t wanted : every_perm) {
        INFO(c.name << " granted=" << granted << " wanted=" << wanted);
        CHECK(acl_permits(acl, wanted, c.yes) == (granted == wanted));
        if (!c.no.empty()) CHECK_FALSE(acl_permits(acl, wanted, c.no)); // world: nobody is out
      }
    }
  }
}

TEST_CASE("the super id is granted every permission on any ACL", "[acl]") {
  std::vector<jute::id> super_ids{{"super", ""}, {"ip", "127.0.0.1"}};
  jute::acl_list nobody{{perms::read, {"digest", digest_identity("x:y")}}};
  for (int32_t wanted : every_perm)
    CHECK(acl_permits(nobody, wanted, super_ids));
  // A session merely called "super" by digest is not.
  std::vector<jute::id> named_super{{"digest", digest_identity("super:guess")}};
  CHECK_FALSE(acl_permits(nobody, perms::read, named_super));
}

TEST_CASE("permissions combine per entry: any entry granting the bit will do", "[acl]") {
  const std::string bob = digest_identity("bob:pw");
  jute::acl_list acl{{perms::read, {"world", "anyone"}},
                     {perms::write | perms::admin, {"digest", bob}},
                     {perms::create, {"ip", "10.0.0.0/8"}}};
  std::vector<jute::id> as_bob{{"ip", "127.0.0.1"}, {"digest", bob}};
  std::vector<jute::id> from_ten{{"ip", "10.9.8.7"}};
  CHECK(acl_permits(acl, perms::read, from_ten));
  CHECK(acl_permits(acl, perms::create, from_ten));
  CHECK_FALSE(acl_permits(acl, perms::write, from_ten));
  CHECK(acl_permits(acl, perms::write, as_bob));
  CHECK(acl_permits(acl, perms::admin, as_bob));
  CHECK_FALSE(acl_permits(acl, perms::create, as_bob));
  CHECK_FALSE(acl_permits(acl, perms::remove, as_bob));
  // getACL asks for READ or ADMIN: one bit of the mask is enough.
  CHECK(acl_permits({{perms::admin, {"digest", bob}}}, perms::read | perms::admin, as_bob));
}

TEST_CASE("auth expands to every digest id of the session, and only those", "[acl]") {
  const std::string a = digest_identity("a:1");
  const std::string b = digest_identity("b:2");
  std::vector<jute::id> ids{{"ip", "127.0.0.1"}, {"digest", a}, {"digest", b}};
  jute::acl_list out;
  REQUIRE(fixup_acl({{perms::read | perms::write, {"auth", "ignored"}}}, ids, out) ==
          jute::error_code::ok);
  CHECK(out == jute::acl_list{{perms::read | perms::write, {"digest", a}},
                              {perms::read | perms::write, {"digest", b}}});
  std::vector<jute::id> ip_only{{"ip", "127.0.0.1"}};
  CHECK(fixup_acl({{perms::all, {"auth", ""}}}, ip_only, out) == jute::error_code::invalid_acl);
  // An expanded id then grants what the entry granted, to that session and no other.
  jute::acl_list expanded;
  REQUIRE(fixup_acl({{perms::read, {"auth", ""}}}, ids, expanded) == jute::error_code::ok);
  CHECK(acl_permits(expanded, perms::read, std::vector<jute::id>{{"digest", b}}));
  CHECK_FALSE(acl_permits(expanded, perms::write, std::vector<jute::id>{{"digest", b}}));
}

TEST_CASE("ip ids: IPv4 with optional bits only, as 3.8.0's provider", "[acl]") {
  for (auto ok : {"1.2.3.4", "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32"})
    CHECK(valid_ip_acl_id(ok));
  for (auto bad : {"::1", "::1/128", "fe80::/10", "1.2.3.4/33", "1.2.3", "1.2.3.4.5", "a.b.c.d"})
    CHECK_FALSE(valid_ip_acl_id(bad));
  // An IPv6 client matches no ip ACL.
  CHECK_FALSE(ip_matches("::1", "0.0.0.0/0"));
}

TEST_CASE("whoAmI names each id as its provider does", "[acl][who_am_i]") {
  std::vector<jute::id> ids{
      {"super", ""}, {"ip", "127.0.0.1"}, {"digest", digest_identity("alice:pw")}};
  CHECK(who_am_i(ids) ==
        std::vector<client_info>{{"super", ""}, {"ip", "127.0.0.1"}, {"digest", "alice"}});
  CHECK(who_am_i({}).empty());
}

TEST_CASE("DigestAuthenticationProvider.superDigest in zoo.cfg", "[acl][config]") {
  const std::string super_id = digest_identity("super:sekrit");
  auto ok = config::parse_zoo_cfg(
      "dataDir=/tmp/x\nDigestAuthenticationProvider.superDigest=" + super_id + "\n");
  REQUIRE(std::holds_alternative<config::server_config>(ok));
  CHECK(std::get<config::server_config>(ok).super_digest == super_id);
  for (const std::string& bad : std::vector<std::string>{"super:sekrit", "super", ":abc",
                                                         "super:" + super_id.substr(6, 27) + "!"}) {
    INFO(bad);
    auto r = config::parse_zoo_cfg(std::string("dataDir=/tmp/x\n") +
                                   "DigestAuthenticationProvider.superDigest=" + bad + "\n");
    REQUIRE(std::holds_alternative<config::config_error>(r));
    CHECK(std::get<config::config_error>(r).key == "DigestAuthenticationProvider.superDigest");
  }
}

TEST_CASE("a multi whose middle op lacks permission changes nothing", "[acl][multi]") {
  tree_fixture f;
  const std::string owner = digest_identity("owner:pw");
  std::vector<jute::id> owner_ids{{"ip", "127.0.0.1"}, {"digest", owner}};
  std::vector<jute::id> stranger{{"ip", "127.0.0.1"}};
  REQUIRE(
      f.run(op::create, {create_op("/locked", {{perms::all, {"digest", owner}}})}, owner_ids).err ==
      jute::error_code::ok);
  REQUIRE(f.run(op::create, {create_op("/locked/kid")}, owner_ids).err == jute::error_code::ok);
  REQUIRE(f.run(op::create, {create_op("/open")}, stranger).err == jute::error_code::ok);

  // Each kind of op, in the middle of two that would succeed.
  std::vector<txn_op> guarded{
      create_op("/locked/new"),                                   // CREATE on parent
      {op::remove, jute::delete_request{"/locked/kid", -1}},      // DELETE on parent
      {op::set_data, jute::set_data_request{"/locked", "x", -1}}, // WRITE
      {op::set_acl, jute::set_acl_request{"/locked", jute::open_acl_unsafe(), -1}}, // ADMIN
      {op::check, jute::check_version_request{"/locked", -1}},                      // READ
  };
  for (size_t i = 0; i < guarded.size(); ++i) {
    INFO("guarded op " << i);
    auto r = f.run(op::multi, {create_op("/open/a"), guarded[i], create_op("/open/b")}, stranger);
    CHECK(r.err == multi_reply_err);
    REQUIRE(r.results.size() == 3);
    CHECK(r.results[0].err == jute::error_code::ok);
    CHECK(r.results[1].err == jute::error_code::no_auth);
    CHECK(r.results[2].err == jute::error_code::runtime_inconsistency);
    for (const auto& res : r.results)
      CHECK(res.type == op::error);
    CHECK(r.triggers.empty());
    jute::stat st;
    CHECK(f.tree.exists("/open/a", st) == jute::error_code::no_node);
    // The owner may do the same multi.
    auto mine = f.run(op::multi, {guarded[i]}, owner_ids);
    CHECK(mine.results.at(0).err == jute::error_code::ok);
    if (i == 0)
      f.run(op::remove, {{op::remove, jute::delete_request{"/locked/new", -1}}}, owner_ids);
    if (i == 1) f.run(op::create, {create_op("/locked/kid")}, owner_ids);
    if (i == 3)
      f.run(
          op::set_acl,
          {{op::set_acl, jute::set_acl_request{"/locked", {{perms::all, {"digest", owner}}}, -1}}},
          owner_ids);
  }
}

TEST_CASE("identical ACL lists are stored once", "[acl][acl_table]") {
  tree_fixture f;
  const auto before = f.tree.acl_count();
  jute::acl_list shared{{perms::read, {"ip", "10.0.0.0/8"}}};
  for (int i = 0; i < 10; ++i)
    REQUIRE(f.run(op::create, {create_op("/n" + std::to_string(i), shared)}, {}).err ==
            jute::error_code::ok);
  CHECK(f.tree.acl_count() == before + 1);
  // The last node to use a list releases it.
  for (int i = 0; i < 10; ++i)
    f.run(op::remove, {{op::remove, jute::delete_request{"/n" + std::to_string(i), -1}}}, {});
  CHECK(f.tree.acl_count() == before);
}

TEST_CASE("a snapshot keeps each distinct ACL list once, and every node's list",
          "[acl][snapshot]") {
  tree_fixture f;
  const std::string owner = digest_identity("owner:pw");
  jute::acl_list mine{{perms::all, {"digest", owner}}, {perms::read, {"world", "anyone"}}};
  jute::acl_list net{{perms::read | perms::write, {"ip", "10.0.0.0/8"}}};
  for (int i = 0; i < 6; ++i)
    REQUIRE(f.run(op::create, {create_op("/s" + std::to_string(i), i % 2 ? mine : net)}, {}).err ==
            jute::error_code::ok);
  std::string bytes;
  REQUIRE(serialize_snapshot(f.tree, bytes).ok());
  data_tree back;
  REQUIRE(parse_snapshot(bytes, "acl test", back).ok());
  CHECK(back.acl_count() == f.tree.acl_count());
  for (int i = 0; i < 6; ++i) {
    jute::acl_list acls;
    jute::stat st;
    REQUIRE(back.get_acl("/s" + std::to_string(i), acls, st) == jute::error_code::ok);
    CHECK(acls == (i % 2 ? mine : net));
  }
  // Enforcement after the restore is the same.
  std::vector<jute::id> stranger{{"ip", "10.1.1.1"}};
  CHECK(back.check_access("/s0", perms::read, stranger) == jute::error_code::ok);
  CHECK(back.check_access("/s1", perms::admin, stranger) == jute::error_code::no_auth);
}
