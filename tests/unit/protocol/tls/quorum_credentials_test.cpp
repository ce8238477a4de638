// The check of TLS between servers' files (ssl.quorum.keyStore / trustStore) made before CAF
// reads them: usable files pass, and every problem names the key and the file.
#include "protocol/tls/quorum_credentials.hpp"
#include "scratch_dir.hpp"
#include "test_certificates.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace paddock;
using paddock::testing::self_signed;
using paddock::testing::write_pem;

TEST_CASE("a PEM key store (key and chain in one file) and a PEM trust store pass",
          "[tls][quorum_tls]") {
  testing::scratch_dir dir;
  auto server = self_signed("server1");
  const auto key_store = dir.path() + "/server1.pem";
  const auto trust_store = dir.path() + "/ca.pem";
  write_pem(key_store, server.key.get(), server.cert.get());
  write_pem(trust_store, nullptr, server.cert.get());
  CHECK_FALSE(tls::check_quorum_credentials(key_store, "", trust_store));

  // An encrypted key: read with ssl.quorum.keyStore.password, refused without it.
  write_pem(key_store, server.key.get(), server.cert.get(), "secret");
  CHECK_FALSE(tls::check_quorum_credentials(key_store, "secret", trust_store));
  auto e = tls::check_quorum_credentials(key_store, "", trust_store);
  REQUIRE(e);
  CHECK(e->find("ssl.quorum.keyStore.password") != std::string::npos);
  CHECK(tls::check_quorum_credentials(key_store, "wrong", trust_store));
}

TEST_CASE("unusable quorum stores are named", "[tls][quorum_tls]") {
  testing::scratch_dir dir;
  auto a = self_signed("a");
  auto b = self_signed("b");
  const auto ca = dir.path() + "/ca.pem";
  write_pem(ca, nullptr, a.cert.get());

  auto missing = tls::check_quorum_credentials(dir.path() + "/missing.pem", "", ca);
  REQUIRE(missing);
  CHECK(missing->find("ssl.quorum.keyStore.location") != std::string::npos);
  CHECK(missing->find("missing.pem") != std::string::npos);

  const auto cert_only = dir.path() + "/cert-only.pem";
  write_pem(cert_only, nullptr, a.cert.get());
  auto no_key = tls::check_quorum_credentials(cert_only, "", ca);
  REQUIRE(no_key);
  CHECK(no_key->find("no PEM private key") != std::string::npos);

  const auto mismatch = dir.path() + "/mismatch.pem";
  write_pem(mismatch, b.key.get(), a.cert.get());
  auto wrong_key = tls::check_quorum_credentials(mismatch, "", ca);
  REQUIRE(wrong_key);
  CHECK(wrong_key->find("does not match") != std::string::npos);

  const auto good = dir.path() + "/good.pem";
  write_pem(good, a.key.get(), a.cert.get());
  const auto garbage = dir.path() + "/garbage-ca.pem";
  std::ofstream(garbage) << "not a certificate\n";
  auto bad_ca = tls::check_quorum_credentials(good, "", garbage);
  REQUIRE(bad_ca);
  CHECK(bad_ca->find("ssl.quorum.trustStore.location") != std::string::npos);
  CHECK(bad_ca->find("garbage-ca.pem") != std::string::npos);
}
