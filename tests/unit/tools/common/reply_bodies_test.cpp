// The client side of zookeeper.jute's reply records, against bytes the server's writer makes.
#include "protocol/jute/codec.hpp"
#include "protocol/jute/jute_writer.hpp"
#include "tools/common/reply_bodies.hpp"

#include <catch2/catch.hpp>

using namespace paddock;

namespace {

jute::stat sample_stat() {
  jute::stat s;
  s.czxid = 7;
  s.num_children = 2;
  s.pzxid = 9;
  return s;
}

} // namespace

TEST_CASE("GetChildren2Response: the children, then the Stat", "[tools]") {
  std::string body;
  jute::writer w(body);
  w.write_int(2);
  w.write_string("a");
  w.write_string("b");
  jute::encode(body, sample_stat());
  auto r = tools::decode_children2(body);
  REQUIRE(r);
  CHECK(r->children == std::vector<std::string>{"a", "b"});
  CHECK(r->stat == sample_stat());
  CHECK(!tools::decode_children2(body.substr(0, body.size() - 1)));
}

TEST_CASE("GetACLResponse: perms, scheme and id per entry, then the Stat", "[tools]") {
  std::string body;
  jute::writer w(body);
  jute::encode(body, jute::acl_list{{31, {"world", "anyone"}}, {1, {"digest", "u:x="}}});
  jute::encode(body, sample_stat());
  auto r = tools::decode_get_acl(body);
  REQUIRE(r);
  REQUIRE(r->acls.size() == 2);
  CHECK(r->acls[1] == jute::acl{1, {"digest", "u:x="}});
  CHECK(r->stat == sample_stat());
}

TEST_CASE("GetAllChildrenNumberResponse and WhoAmIResponse", "[tools]") {
  std::string number;
  jute::writer(number).write_int(42);
  CHECK(tools::decode_all_children_number(number) == 42);
  CHECK(!tools::decode_all_children_number("\x01"));

  std::string who;
  jute::writer w(who);
  w.write_int(2);
  w.write_string("ip");
  w.write_string("127.0.0.1");
  w.write_string("digest");
  w.write_string("u");
  auto r = tools::decode_who_am_i(who);
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[1].auth_scheme == "digest");
  CHECK((*r)[1].user == "u");
  CHECK(!tools::decode_who_am_i(who.substr(0, who.size() - 1)));
}
