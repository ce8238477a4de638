// ACL evaluation as ZooKeeper 3.8.0 decides it: each permission bit against each scheme
// (world, digest, ip exact and CIDR, "auth" expanded at create time, super), the ACL id
// helpers, and a multi whose middle op lacks permission.
// Beyond 3.8.0: IPv6 and IPv4-mapped ip ids, and the READ check of watch events.
#include "protocol/jute/opcodes.hpp"
#include "store/disk/snapshot.hpp"
#include "store/tree/acl.hpp"
#include "store/tree/data_tree.hpp"
#include "store/tree/digest_auth.hpp"

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
      {"sasl", {"sasl", "bob"}, {{"sasl", "bob"}}, {{"sasl", "carol"}, {"digest", "bob"}}},
      {"sasl principal",
       {"sasl", "client/app1@EXAMPLE.COM"},
       {{"sasl", "client/app1@EXAMPLE.COM"}},
       {{"sasl", "client"}}},
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

TEST_CASE("ip ids: IPv4 or IPv6, optional bits within the family's width", "[acl][ip]") {
  for (auto ok : {"1.2.3.4", "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32", "::1", "::1/128",
                  "fe80::/10", "2001:db8::/64", "::/0", "::ffff:127.0.0.1", "::ffff:10.0.0.0/8"})
    CHECK(valid_ip_acl_id(ok));
  // Malformed: setACL / create with these is InvalidACL (fixup_acl below).
  for (auto bad : {"", "/8", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/", "1.2.3.4/x", "1.2.3",
                   "1.2.3.4.5", "a.b.c.d", "1.2.3.256", "::1/129", "2001:db8::/-1", ":::1", "[::1]",
                   "::1%lo", "fe80::g", "::ffff:1.2.3.4/33", "localhost"})
    CHECK_FALSE(valid_ip_acl_id(bad));
  jute::acl_list out;
  CHECK(fixup_acl({{perms::read, {"ip", "10.0.0.0/33"}}}, {}, out) ==
        jute::error_code::invalid_acl);
  CHECK(fixup_acl({{perms::read, {"ip", "::1/128"}}}, {}, out) == jute::error_code::ok);
}

TEST_CASE("ip ACLs match IPv4, IPv4-mapped IPv6 as IPv4, and IPv6, by prefix", "[acl][ip]") {
  struct match_case {
    const char* client;
    const char* acl;
    bool matches;
  };
  const match_case cases[] = {
      {"127.0.0.1", "127.0.0.1", true},
      {"127.0.0.1", "127.0.0.2", false},
      {"127.0.0.1", "127.0.0.1/32", true},
      {"127.0.0.1", "127.0.0.0/8", true},
      {"127.0.0.1", "127.1.2.0/8", true}, // the ACL's host bits are masked too
      {"127.0.0.1", "10.0.0.0/8", false},
      {"192.168.1.9", "192.168.1.0/24", true},
      {"192.168.2.9", "192.168.1.0/24", false},
      {"8.8.8.8", "0.0.0.0/0", true},
      // A client of a server listening on all addresses: compared as IPv4.
      {"::ffff:127.0.0.1", "127.0.0.1", true},
      {"::ffff:127.0.0.1", "127.0.0.0/8", true},
      {"::ffff:127.0.0.1", "127.0.0.1/32", true},
      {"::ffff:127.0.0.1", "10.0.0.0/8", false},
      {"::ffff:127.0.0.1", "0.0.0.0/0", true},
      {"127.0.0.1", "::ffff:127.0.0.0/8", true}, // an IPv4-mapped ACL is IPv4 too
      // IPv6.
      {"::1", "::1", true},
      {"::1", "::1/128", true},
      {"::2", "::1/128", false},
      {"::1", "::2/127", false},
      {"::1", "::/0", true},
      {"2001:db8::1234", "2001:db8::/64", true},
      {"2001:db8:0:1::1", "2001:db8::/64", false},
      {"2001:db8:0:0:ffff::1", "2001:db8::/64", true},
      {"fe80::1", "fe80::/10", true},
      {"fec0::1", "fe80::/10", false},
      // Families never mix, whatever the bits.
      {"::1", "0.0.0.0/0", false},
      {"127.0.0.1", "::/0", false},
      {"::ffff:127.0.0.1", "::/0", false},
      // A malformed ACL id or client address matches nothing.
      {"127.0.0.1", "127.0.0.1/33", false},
      {"127.0.0.1", "127.0.0.1/x", false},
      {"::1", "::1/129", false},
      {"not-an-address", "0.0.0.0/0", false},
  };
  for (const auto& c : cases) {
    INFO(c.client << " vs ip:" << c.acl);
    CHECK(ip_matches(c.client, c.acl) == c.matches);
  }
}

TEST_CASE("a connection's ip identity is what Java reports for the peer", "[acl][ip]") {
  CHECK(client_ip_identity("::ffff:127.0.0.1") == "127.0.0.1");
  CHECK(client_ip_identity("::ffff:10.1.2.3") == "10.1.2.3");
  CHECK(client_ip_identity("127.0.0.1") == "127.0.0.1");
  CHECK(client_ip_identity("::1") == "0:0:0:0:0:0:0:1");
  CHECK(client_ip_identity("2001:db8::ab:1") == "2001:db8:0:0:0:0:ab:1");
  CHECK(client_ip_identity("fe80::1%eth0") == "fe80::1%eth0");
  // And the session then passes an ip ACL on its IPv4 address.
  const std::vector<jute::id> auth{{"ip", client_ip_identity("::ffff:127.0.0.1")}};
  CHECK(acl_permits({{perms::read, {"ip", "127.0.0.1"}}}, perms::read, auth));
  CHECK_FALSE(acl_permits({{perms::read, {"ip", "10.0.0.0/8"}}}, perms::read, auth));
}

TEST_CASE("watch events: who may see an event about a node", "[acl][watch]") {
  const std::string alice = digest_identity("alice:pw");
  const jute::acl_list digest_only{{perms::all, {"digest", alice}}};
  CHECK(world_readable({}));
  CHECK(world_readable(jute::open_acl_unsafe()));
  CHECK(world_readable(jute::read_acl_unsafe()));
  CHECK(world_readable({{perms::all, {"digest", alice}}, {perms::read, {"world", "anyone"}}}));
  CHECK_FALSE(world_readable(digest_only));
  CHECK_FALSE(world_readable({{perms::write | perms::create, {"world", "anyone"}}}));
  CHECK_FALSE(world_readable({{perms::read, {"ip", "0.0.0.0/0"}}}));

  const std::vector<jute::id> anonymous{{"ip", "127.0.0.1"}};
  const std::vector<jute::id> as_alice{{"ip", "127.0.0.1"}, {"digest", alice}};
  const std::vector<jute::id> as_super{{"ip", "127.0.0.1"}, {"super", ""}};
  CHECK(may_see_event(nullptr, anonymous)); // world-readable: no check
  CHECK(may_see_event(nullptr, {}));
  CHECK_FALSE(may_see_event(&digest_only, anonymous));
  CHECK_FALSE(may_see_event(&digest_only, {}));
  CHECK(may_see_event(&digest_only, as_alice));
  CHECK(may_see_event(&digest_only, as_super));
  // READ is what counts: another permission on the node is not enough.
  const jute::acl_list write_only{{perms::write, {"digest", alice}}};
  CHECK_FALSE(may_see_event(&write_only, as_alice));
  const jute::acl_list by_ip{{perms::read, {"ip", "127.0.0.0/8"}}};
  CHECK(may_see_event(&by_ip, anonymous));
}

TEST_CASE("triggers carry the ACL of the node they are about, null when world-readable",
          "[acl][watch]") {
  tree_fixture f;
  const std::string alice = digest_identity("alice:pw");
  const std::vector<jute::id> as_alice{{"digest", alice}};
  const jute::acl_list digest_only{{perms::all, {"digest", alice}}};
  auto r = f.run(op::create, {create_op("/p")}, {});
  REQUIRE(r.err == jute::error_code::ok);
  for (const auto& t : r.triggers)
    CHECK(t.acl == nullptr);

  r = f.run(op::create, {create_op("/p/secret", digest_only)}, as_alice);
  REQUIRE(r.triggers.size() == 2);
  CHECK(r.triggers[0].type == jute::event_type::node_created);
  REQUIRE(r.triggers[0].acl);
  CHECK(*r.triggers[0].acl == digest_only);
  CHECK(r.triggers[1].type == jute::event_type::node_children_changed); // on /p: open
  CHECK(r.triggers[1].acl == nullptr);

  // Under a restricted parent, NodeChildrenChanged carries the parent's ACL.
  r = f.run(op::create, {create_op("/p/secret/c")}, as_alice);
  REQUIRE(r.triggers.size() == 2);
  CHECK(r.triggers[0].acl == nullptr);
  REQUIRE(r.triggers[1].acl);
  CHECK(*r.triggers[1].acl == digest_only);

  r = f.run(op::set_data, {{op::set_data, jute::set_data_request{"/p/secret", "x", -1}}}, as_alice);
  REQUIRE(r.triggers.size() == 1);
  REQUIRE(r.triggers[0].acl);
  CHECK(*r.triggers[0].acl == digest_only);

  f.run(op::remove, {{op::remove, jute::delete_request{"/p/secret/c", -1}}}, as_alice);
  r = f.run(op::remove, {{op::remove, jute::delete_request{"/p/secret", -1}}}, as_alice);
  REQUIRE(r.err == jute::error_code::ok);
  REQUIRE(r.triggers.size() == 2);
  // NodeDeleted: the ACL the node had, still whole although the tree let go of it.
  CHECK(r.triggers[0].type == jute::event_type::node_deleted);
  REQUIRE(r.triggers[0].acl);
  CHECK(*r.triggers[0].acl == digest_only);
  CHECK(r.triggers[1].acl == nullptr);
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

TEST_CASE("acl helpers", "[data_tree][acl]") {
  CHECK(valid_ip_acl_id("1.2.3.4"));
  CHECK(valid_ip_acl_id("1.2.3.4/0"));
  CHECK(valid_ip_acl_id("1.2.3.4/32"));
  CHECK_FALSE(valid_ip_acl_id("1.2.3.4/"));
  CHECK_FALSE(valid_ip_acl_id("1.2.3.256"));
  CHECK_FALSE(valid_ip_acl_id("1.2.3.4.5"));
  CHECK_FALSE(valid_ip_acl_id("1..3.4"));
  CHECK(valid_digest_acl_id("a:b"));
  CHECK(valid_digest_acl_id("a:b:"));
  CHECK_FALSE(valid_digest_acl_id(":"));
  CHECK_FALSE(valid_digest_acl_id(""));
  CHECK(ip_matches("192.168.1.7", "192.168.1.0/24"));
  CHECK_FALSE(ip_matches("192.168.2.7", "192.168.1.0/24"));
  CHECK(ip_matches("8.8.8.8", "0.0.0.0/0"));
  CHECK_FALSE(ip_matches("::1", "0.0.0.0/0"));
  CHECK(acl_permits({}, jute::perms::admin, {}));
}

TEST_CASE("sasl ids: Kerberos names, auth expands to sasl ids too", "[acl][sasl]") {
  CHECK(valid_sasl_acl_id("bob"));
  CHECK(valid_sasl_acl_id("alice@EXAMPLE.COM"));
  CHECK(valid_sasl_acl_id("client/app1.example.com@EXAMPLE.COM"));
  CHECK(valid_sasl_acl_id("svc/host")); // no realm: Java takes it whole
  CHECK_FALSE(valid_sasl_acl_id("a@b@c"));
  CHECK_FALSE(valid_sasl_acl_id("a/b/c@R"));
  jute::acl_list out;
  CHECK(fixup_acl({{perms::all, {"sasl", "a@b@c"}}}, {}, out) == jute::error_code::invalid_acl);
  REQUIRE(fixup_acl({{perms::all, {"sasl", "bob"}}}, {}, out) == jute::error_code::ok);
  CHECK(out == jute::acl_list{{perms::all, {"sasl", "bob"}}});
  std::vector<jute::id> ids{{"ip", "127.0.0.1"}, {"sasl", "bob"}};
  REQUIRE(fixup_acl({{perms::read, {"auth", ""}}}, ids, out) == jute::error_code::ok);
  CHECK(out == jute::acl_list{{perms::read, {"sasl", "bob"}}});
}
