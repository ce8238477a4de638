#pragma once
// Keys and certificates made in memory for the TLS tests, and PEM files of them: no fixture
// files to expire, no openssl command to run.
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string>

namespace paddock::testing {

struct key_and_cert {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
  std::unique_ptr<X509, decltype(&X509_free)> cert{nullptr, X509_free};
};

// A self-signed P-256 certificate valid for an hour (it is its own CA).
inline key_and_cert self_signed(const char* cn) {
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

// The key (encrypted with `password` unless empty) and the certificate, either may be null,
// in one PEM file.
inline void write_pem(const std::string& path, EVP_PKEY* key, X509* cert,
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

} // namespace paddock::testing
