// The sasl id ZooKeeper stores for an authenticated name, and Kerberos name parsing.
#include "protocol/sasl/kerberos_name.hpp"

#include <catch2/catch.hpp>

using namespace paddock::sasl;

TEST_CASE("Kerberos names are read as Java's KerberosName reads them", "[sasl]") {
  auto full = parse_kerberos_name("zookeeper/zk1.example.com@EXAMPLE.COM");
  REQUIRE(full);
  CHECK(full->service == "zookeeper");
  CHECK(full->host == "zk1.example.com");
  CHECK(full->realm == "EXAMPLE.COM");
  auto user = parse_kerberos_name("alice@EXAMPLE.COM");
  REQUIRE(user);
  CHECK(user->service == "alice");
  CHECK_FALSE(user->host);
  // Without '@' the whole name is the service, '/' and all.
  auto bare = parse_kerberos_name("svc/host");
  REQUIRE(bare);
  CHECK(bare->service == "svc/host");
  CHECK_FALSE(bare->realm);
  CHECK_FALSE(parse_kerberos_name("a@B@C"));
  CHECK_FALSE(parse_kerberos_name("a/b/c@R"));
  CHECK_FALSE(parse_kerberos_name("a@R/x"));
}

TEST_CASE("the authorized id keeps host and realm unless told otherwise", "[sasl]") {
  const std::string_view realm = "EXAMPLE.COM";
  CHECK(sasl_authorized_id("bob", false, false, realm) == "bob");
  CHECK(sasl_authorized_id("bob", true, true, realm) == "bob");
  CHECK(sasl_authorized_id("bob", true, true, "") == "bob");
  const auto principal = "client/app1.example.com@EXAMPLE.COM";
  CHECK(sasl_authorized_id(principal, false, false, realm) == principal);
  CHECK(sasl_authorized_id(principal, true, false, realm) == "client@EXAMPLE.COM");
  CHECK(sasl_authorized_id(principal, false, true, realm) == "client/app1.example.com");
  CHECK(sasl_authorized_id(principal, true, true, realm) == "client");
  CHECK(sasl_authorized_id("alice@EXAMPLE.COM", false, true, realm) == "alice");
  // A name Java cannot read as a Kerberos name is kept whole.
  CHECK(sasl_authorized_id("a@B@C", true, true, realm) == "a@B@C");
}

TEST_CASE("a principal outside the default realm keeps its whole name", "[sasl]") {
  // ZooKeeper's DEFAULT rule does not apply to another realm: the id stays as it came.
  const auto foreign = "client/app1.other.org@OTHER.ORG";
  CHECK(sasl_authorized_id(foreign, true, true, "EXAMPLE.COM") == foreign);
  CHECK(sasl_authorized_id("alice@OTHER.ORG", false, true, "EXAMPLE.COM") == "alice@OTHER.ORG");
  // Without a Kerberos configuration no realm is the default one.
  CHECK(sasl_authorized_id("alice@EXAMPLE.COM", false, true, "") == "alice@EXAMPLE.COM");
}
