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
  CHECK(sasl_authorized_id("bob", false, false) == "bob");
  CHECK(sasl_authorized_id("bob", true, true) == "bob");
  const auto principal = "client/app1.example.com@EXAMPLE.COM";
  CHECK(sasl_authorized_id(principal, false, false) == principal);
  CHECK(sasl_authorized_id(principal, true, false) == "client@EXAMPLE.COM");
  CHECK(sasl_authorized_id(principal, false, true) == "client/app1.example.com");
  CHECK(sasl_authorized_id(principal, true, true) == "client");
  CHECK(sasl_authorized_id("alice@EXAMPLE.COM", false, true) == "alice");
  // A name Java cannot read as a Kerberos name is kept whole.
  CHECK(sasl_authorized_id("a@B@C", true, true) == "a@B@C");
}
