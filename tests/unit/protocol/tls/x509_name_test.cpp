// The x509 auth id: a certificate subject as Java's X500Principal.getName() spells it.
#include "protocol/tls/x509_name.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <openssl/objects.h>

using paddock::tls::rfc2253_name;

namespace {

using name_ptr = std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)>;

name_ptr make_name() {
  return name_ptr(X509_NAME_new(), X509_NAME_free);
}

// Appends an RDN in certificate order (the most general first); set = -1 joins the value to
// the previous RDN (a multi-valued RDN), 0 starts a new one.
void add(X509_NAME* n, const char* field, const std::string& value, int set = 0) {
  REQUIRE(X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                     set) == 1);
}

} // namespace

TEST_CASE("most specific RDN first, Java's keywords", "[tls][x509]") {
  auto n = make_name();
  add(n.get(), "C", "US");
  add(n.get(), "ST", "CA");
  add(n.get(), "L", "Palo Alto");
  add(n.get(), "O", "Paddock Tests");
  add(n.get(), "OU", "Integration");
  add(n.get(), "CN", "client");
  CHECK(rfc2253_name(n.get()) == "CN=client,OU=Integration,O=Paddock Tests,L=Palo Alto,ST=CA,C=US");
}

TEST_CASE("values are escaped as RFC 2253 says", "[tls][x509]") {
  auto n = make_name();
  add(n.get(), "O", "Smith, Jones & Co");
  add(n.get(), "CN", "#1 \"quoted\" <x>;y+z\\ ");
  CHECK(rfc2253_name(n.get()) ==
        "CN=\\#1 \\\"quoted\\\" \\<x\\>\\;y\\+z\\\\\\ ,O=Smith\\, Jones & Co");
  auto lead = make_name();
  add(lead.get(), "CN", " padded");
  CHECK(rfc2253_name(lead.get()) == "CN=\\ padded");
}

TEST_CASE("UTF-8 values stay as they are", "[tls][x509]") {
  auto n = make_name();
  add(n.get(), "CN", "Zoë");
  CHECK(rfc2253_name(n.get()) == "CN=Zoë");
}

TEST_CASE("types without a Java keyword are a dotted OID and the DER in hex", "[tls][x509]") {
  auto n = make_name();
  add(n.get(), "CN", "client");
  add(n.get(), "emailAddress", "a@b");
  // emailAddress is an IA5String (tag 0x16), 3 bytes.
  CHECK(rfc2253_name(n.get()) == "1.2.840.113549.1.9.1=#1603614062,CN=client");
}

TEST_CASE("a multi-valued RDN is joined with '+'", "[tls][x509]") {
  auto n = make_name();
  add(n.get(), "O", "Org");
  add(n.get(), "CN", "a");
  add(n.get(), "UID", "42", -1); // same RDN as CN
  const auto s = rfc2253_name(n.get());
  CHECK((s == "UID=42+CN=a,O=Org" || s == "CN=a+UID=42,O=Org"));
}

TEST_CASE("an empty subject is an empty id", "[tls][x509]") {
  auto n = make_name();
  CHECK(rfc2253_name(n.get()).empty());
}
