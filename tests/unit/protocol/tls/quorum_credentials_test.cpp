// The check of TLS between servers' files (ssl.quorum.keyStore / trustStore) made before CAF
// reads them: usable files pass, and every problem names the key and the file.
#include "protocol/tls/quorum_credentials.hpp"
#include "scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace paddock;

namespace {

struct key_and_cert {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
  std::unique_ptr<X509, decltype(&X509_free)> cert{nullptr, X509_free};
};

// A self-signed P-256 certificate, made in memory (it is its own CA).
key_and_cert self_signed(const char* cn) {
  key_and_cert kc;
  kc.key.reset(EVP_EC_gen("P-256"));
  REQUIRE(kc.key);
  kc.cert.reset(X509_new());
  X509_set_version(kc.cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(kc.cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(kc.cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(kc.cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(kc.cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(kc.cert.get(), name);
  X509_set_pubkey(kc.cert.get(), kc.key.get());
  REQUIRE(X509_sign(kc.cert.get(), kc.key.get(), EVP_sha256()) > 0);
  return kc;
}

// The key (encrypted with `password` unless empty) and the certificate, in one PEM file.
void write_pem(const std::string& path, EVP_PKEY* key, X509* cert,
               const std::string& password = "") {
  std::FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f);
  if (key) {
    const EVP_CIPHER* cipher = password.empty() ? nullptr : EVP_aes_256_cbc();
    auto* pass = reinterpret_cast<const unsigned char*>(password.data());
    PEM_write_PrivateKey(f, key, cipher, pass, static_cast<int>(password.size()), nullptr, nullptr);
  }
  if (cert) PEM_write_X509(f, cert);
  std::fclose(f);
}

} // namespace

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
