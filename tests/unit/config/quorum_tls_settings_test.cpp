// zoo.cfg's keys of TLS between servers (sslQuorum, ssl.quorum.*, portUnification,
// sslQuorumReloadCertFiles): what is read, what is required with sslQuorum, and every key
// CAF's OpenSSL module cannot honour refused with a message naming it.
#include "config/quorum_tls_settings.hpp"
#include "config/zoo_config.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace paddock::config;

namespace {

const std::string base = "dataDir=/tmp/x\n";
const std::string stores = "ssl.quorum.keyStore.location=/etc/zk/server1.pem\n"
                           "ssl.quorum.trustStore.location=/etc/zk/ca.pem\n";

server_config parsed(const std::string& extra) {
  auto r = parse_zoo_cfg(base + extra);
  if (auto* e = std::get_if<config_error>(&r)) FAIL(e->to_string());
  return std::get<server_config>(r);
}

config_error error_of(const std::string& extra) {
  auto r = parse_zoo_cfg(base + extra);
  REQUIRE(std::holds_alternative<config_error>(r));
  return std::get<config_error>(r);
}

bool has_warning(const server_config& cfg, std::string_view text) {
  return std::any_of(cfg.warnings.begin(), cfg.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

} // namespace

TEST_CASE("without sslQuorum the quorum is plaintext and no store is needed",
          "[config][quorum_tls]") {
  auto cfg = parsed("");
  CHECK_FALSE(cfg.quorum_tls.ssl_quorum);
  CHECK_FALSE(cfg.quorum_tls.port_unification);
  CHECK_FALSE(cfg.quorum_tls.reload_cert_files);
  CHECK_FALSE(parsed("sslQuorum=false\n").quorum_tls.ssl_quorum);
}

TEST_CASE("sslQuorum with PEM stores: every key read", "[config][quorum_tls]") {
  auto cfg = parsed("sslQuorum=true\nsslQuorumReloadCertFiles=true\n" + stores +
                    "ssl.quorum.keyStore.password=secret\nssl.quorum.keyStore.type=PEM\n"
                    "ssl.quorum.trustStore.type=pem\nssl.quorum.trustStore.password=ignored\n"
                    "ssl.quorum.hostnameVerification=false\nssl.quorum.clientAuth=need\n"
                    "ssl.quorum.crl=false\nssl.quorum.ocsp=false\n");
  const auto& q = cfg.quorum_tls;
  CHECK(q.ssl_quorum);
  CHECK(q.reload_cert_files);
  CHECK(q.key_store_location == "/etc/zk/server1.pem");
  CHECK(q.key_store_password == "secret");
  CHECK(q.key_store_type == "pem");
  CHECK(q.trust_store_location == "/etc/zk/ca.pem");
  CHECK(q.trust_store_type == "pem");
  CHECK(q.hostname_verification == std::optional<bool>{false});
  // The client port's keys stay apart.
  CHECK(cfg.tls.key_store_location.empty());
}

TEST_CASE("sslQuorum needs a key store and a trust store, both PEM", "[config][quorum_tls]") {
  CHECK(error_of("sslQuorum=true\nssl.quorum.trustStore.location=/ca.pem\n").key ==
        "ssl.quorum.keyStore.location");
  CHECK(error_of("sslQuorum=true\nssl.quorum.keyStore.location=/k.pem\n").key ==
        "ssl.quorum.trustStore.location");
  // The client port's stores are not the quorum's.
  CHECK(error_of("sslQuorum=true\nssl.keyStore.location=/k.pem\nssl.trustStore.location=/c.pem\n")
            .key == "ssl.quorum.keyStore.location");
  auto e = error_of("sslQuorum=true\nssl.quorum.keyStore.location=/k.p12\n"
                    "ssl.quorum.trustStore.location=/ca.pem\n");
  CHECK(e.key == "ssl.quorum.keyStore.location");
  CHECK(e.message.find("PEM") != std::string::npos);
  CHECK(error_of("ssl.quorum.keyStore.type=PKCS12\n").key == "ssl.quorum.keyStore.type");
  CHECK(error_of("ssl.quorum.trustStore.type=JKS\n").key == "ssl.quorum.trustStore.type");
  // A key store named otherwise is PEM when its type says so.
  CHECK(parsed("sslQuorum=true\nssl.quorum.keyStore.location=/k.key.txt\n"
               "ssl.quorum.keyStore.type=PEM\nssl.quorum.trustStore.location=/ca.pem\n")
            .quorum_tls.ssl_quorum);
}

TEST_CASE("keys CAF's OpenSSL module cannot honour are refused by name", "[config][quorum_tls]") {
  for (const char* line :
       {"ssl.quorum.enabledProtocols=TLSv1.3\n", "ssl.quorum.ciphersuites=TLS_AES_128_GCM_SHA256\n",
        "ssl.quorum.hostnameVerification=true\n", "ssl.quorum.clientAuth=want\n",
        "ssl.quorum.crl=true\n", "ssl.quorum.ocsp=true\n",
        "ssl.quorum.context.supplier.class=x.Y\n"}) {
    auto e = error_of(line);
    const std::string key(line, std::string_view(line).find('='));
    CHECK(e.key == key);
    CHECK_FALSE(e.message.empty());
  }
  CHECK(error_of("ssl.quorum.hostnameVerification=maybe\n").message == "must be true or false");
  CHECK(error_of("sslQuorum=yes\n").key == "sslQuorum");
}

TEST_CASE("ssl.quorum.protocol is read with a warning: CAF negotiates the version",
          "[config][quorum_tls]") {
  auto cfg = parsed("ssl.quorum.protocol=TLSv1.2\n");
  CHECK(cfg.quorum_tls.protocol == "TLSv1.2");
  CHECK(has_warning(cfg, "ssl.quorum.protocol=TLSv1.2 is read but not applied"));
  CHECK(error_of("ssl.quorum.protocol=SSLv3\n").key == "ssl.quorum.protocol");
}

TEST_CASE("portUnification=true needs the stores, with sslQuorum true or false",
          "[config][quorum_tls]") {
  // The rolling upgrade's first step: TLS peers accepted, plaintext ones still made.
  auto cfg = parsed("portUnification=true\nsslQuorum=false\n" + stores);
  CHECK(cfg.quorum_tls.port_unification);
  CHECK_FALSE(cfg.quorum_tls.ssl_quorum);
  CHECK(cfg.quorum_tls.uses_stores());
  CHECK(parsed("portUnification=true\nsslQuorum=true\n" + stores).quorum_tls.port_unification);
  auto e = error_of("portUnification=true\n");
  CHECK(e.key == "ssl.quorum.keyStore.location");
  CHECK(e.message.find("portUnification=true") != std::string::npos);
  CHECK(error_of("portUnification=true\nssl.quorum.keyStore.location=/etc/zk/s.pem\n").key ==
        "ssl.quorum.trustStore.location");
  CHECK_FALSE(parsed("portUnification=false\n").quorum_tls.port_unification);
  CHECK_FALSE(parsed("portUnification=false\n").quorum_tls.uses_stores());
  CHECK(error_of("portUnification=sometimes\n").key == "portUnification");
}

TEST_CASE("ssl.quorum.handshakeDetectionTimeoutMillis: 5000 unless set, below 1 the default",
          "[config][quorum_tls]") {
  CHECK(parsed("").quorum_tls.handshake_detection_timeout_ms == 5000);
  CHECK(parsed("ssl.quorum.handshakeDetectionTimeoutMillis=750\n")
            .quorum_tls.handshake_detection_timeout_ms == 750);
  auto zero = parsed("ssl.quorum.handshakeDetectionTimeoutMillis=0\n");
  CHECK(zero.quorum_tls.handshake_detection_timeout_ms == 5000);
  CHECK(has_warning(zero, "is not allowed (at least 1)"));
  CHECK(error_of("ssl.quorum.handshakeDetectionTimeoutMillis=5s\n").key ==
        "ssl.quorum.handshakeDetectionTimeoutMillis");
}
