// The OpenSSL context of the secure client port: what it loads, and the errors that name the
// key and the file when it cannot.
#include "protocol/tls/server_context.hpp"
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

namespace {

std::string error_of(const config::tls_settings& tls) {
  auto r = tls::make_server_context(tls);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

} // namespace

TEST_CASE("a PEM key store and trust store load", "[tls]") {
  testing::scratch_dir dir;
  auto server = self_signed("server");
  auto ca = self_signed("ca");
  config::tls_settings tls;
  tls.secure_client_port = 2281;
  tls.key_store_location = dir.path() + "/server.pem";
  tls.trust_store_location = dir.path() + "/ca.pem";
  write_pem(tls.key_store_location, server.key.get(), server.cert.get());
  write_pem(tls.trust_store_location, nullptr, ca.cert.get());
  auto r = tls::make_server_context(tls);
  if (auto* e = std::get_if<std::string>(&r)) FAIL(*e);
  SSL_CTX* ctx = std::get<tls::ssl_ctx_ptr>(r).get();
  CHECK(SSL_CTX_get_verify_mode(ctx) == (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT));
  CHECK(SSL_CTX_get_min_proto_version(ctx) == TLS1_2_VERSION);
  CHECK(SSL_CTX_get_max_proto_version(ctx) == TLS1_2_VERSION); // ssl.protocol alone

  tls.client_auth = config::client_auth_mode::want;
  tls.enabled_protocols = {"TLSv1.2", "TLSv1.3"};
  tls.ciphersuites = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"};
  auto r2 = tls::make_server_context(tls);
  if (auto* e = std::get_if<std::string>(&r2)) FAIL(*e);
  SSL_CTX* ctx2 = std::get<tls::ssl_ctx_ptr>(r2).get();
  CHECK(SSL_CTX_get_verify_mode(ctx2) == SSL_VERIFY_PEER);
  // ssl.protocol=TLSv1.2 caps what ssl.enabledProtocols enables, as in Java.
  CHECK(SSL_CTX_get_max_proto_version(ctx2) == TLS1_2_VERSION);
  tls.protocol = "TLSv1.3";
  auto r3 = tls::make_server_context(tls);
  if (auto* e = std::get_if<std::string>(&r3)) FAIL(*e);
  CHECK(SSL_CTX_get_min_proto_version(std::get<tls::ssl_ctx_ptr>(r3).get()) == TLS1_2_VERSION);
  CHECK(SSL_CTX_get_max_proto_version(std::get<tls::ssl_ctx_ptr>(r3).get()) == TLS1_3_VERSION);
  tls.protocol = "TLSv1.2";
  tls.enabled_protocols = {"TLSv1.3"};
  CHECK(std::get<std::string>(tls::make_server_context(tls)).find("ssl.enabledProtocols") !=
        std::string::npos);
}

TEST_CASE("key store errors name the key and the file", "[tls]") {
  testing::scratch_dir dir;
  config::tls_settings tls;
  tls.key_store_location = dir.path() + "/missing.pem";
  auto e = error_of(tls);
  CHECK(e.find("ssl.keyStore.location") != std::string::npos);
  CHECK(e.find("missing.pem") != std::string::npos);
  CHECK(e.find("cannot open") != std::string::npos);

  tls.key_store_location = dir.path() + "/garbage.pem";
  std::ofstream(tls.key_store_location) << "not a certificate\n";
  CHECK(error_of(tls).find("holds no PEM certificate") != std::string::npos);

  // A certificate without its key; then a key that is not the certificate's.
  auto a = self_signed("a");
  auto b = self_signed("b");
  tls.key_store_location = dir.path() + "/cert-only.pem";
  write_pem(tls.key_store_location, nullptr, a.cert.get());
  CHECK(error_of(tls).find("no PEM private key") != std::string::npos);
  tls.key_store_location = dir.path() + "/mismatch.pem";
  write_pem(tls.key_store_location, b.key.get(), a.cert.get());
  CHECK(error_of(tls).find("ssl.keyStore.location") != std::string::npos);

  tls.key_store_location = dir.path() + "/store.p12";
  tls.key_store_type = "pkcs12";
  std::ofstream(tls.key_store_location) << "not pkcs12";
  CHECK(error_of(tls).find("not a PKCS12 file") != std::string::npos);
}

TEST_CASE("trust store and cipher suite errors name their key", "[tls]") {
  testing::scratch_dir dir;
  auto server = self_signed("server");
  config::tls_settings tls;
  tls.key_store_location = dir.path() + "/server.pem";
  write_pem(tls.key_store_location, server.key.get(), server.cert.get());
  tls.trust_store_location = dir.path() + "/nothing.pem";
  std::ofstream(tls.trust_store_location) << "nothing here\n";
  CHECK(error_of(tls).find("ssl.trustStore.location") != std::string::npos);
  tls.trust_store_location.clear(); // the system's CAs
  tls.ciphersuites = {"TLS_NO_SUCH_SUITE"};
  auto e = error_of(tls);
  CHECK(e.find("ssl.ciphersuites") != std::string::npos);
  CHECK(e.find("TLS_NO_SUCH_SUITE") != std::string::npos);
}
