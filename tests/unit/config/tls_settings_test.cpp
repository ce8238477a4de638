// zoo.cfg's TLS keys: their defaults (ZooKeeper 3.8's), their checks, and the errors that
// name the key at fault.
#include "config/tls_settings.hpp"
#include "config/zoo_config.hpp"

#include <catch2/catch.hpp>

using namespace paddock::config;

namespace {

const std::string base = "dataDir=/tmp/x\n";

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

} // namespace

TEST_CASE("without secureClientPort there is no TLS listener", "[config][tls]") {
  auto cfg = parsed("clientPort=2181\n");
  CHECK_FALSE(cfg.tls.enabled());
  CHECK(cfg.plaintext_client_port());
}

TEST_CASE("the TLS keys and ZooKeeper's defaults", "[config][tls]") {
  auto cfg =
      parsed("secureClientPort=2281\nsecureClientPortAddress=127.0.0.1\n"
             "ssl.keyStore.location=/etc/zk/server.pem\nssl.keyStore.type=PEM\n"
             "ssl.trustStore.location=/etc/zk/ca.pem\n"
             "ssl.enabledProtocols=TLSv1.2, TLSv1.3\n"
             "ssl.ciphersuites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256\n");
  CHECK(cfg.tls.enabled());
  CHECK(cfg.tls.secure_client_port == 2281);
  CHECK(cfg.tls.secure_client_port_address == "127.0.0.1");
  CHECK(cfg.tls.key_store_location == "/etc/zk/server.pem");
  CHECK(cfg.tls.key_store_type == "pem");
  CHECK(cfg.tls.client_auth == client_auth_mode::need); // ZooKeeper's default
  CHECK(cfg.tls.protocol == "TLSv1.2");
  CHECK(cfg.tls.enabled_protocols == std::vector<std::string>{"TLSv1.2", "TLSv1.3"});
  CHECK(cfg.tls.ciphersuites.size() == 2);
  CHECK(cfg.tls.hostname_verification);
  // Only the secure port configured: no plaintext listener, as ZooKeeper.
  CHECK_FALSE(cfg.plaintext_client_port());
  CHECK(parsed("clientPort=2181\nsecureClientPort=2281\nssl.keyStore.location=/k.pem\n")
            .plaintext_client_port());
  // The TLS keys are read, not reported as unused.
  for (const auto& w : cfg.warnings)
    CHECK(w.find("ssl.") == std::string::npos);
}

TEST_CASE("ssl.clientAuth: none, want or need", "[config][tls]") {
  const std::string port = "secureClientPort=2281\nssl.keyStore.location=/k.pem\n";
  CHECK(parsed(port + "ssl.clientAuth=none\n").tls.client_auth == client_auth_mode::none);
  CHECK(parsed(port + "ssl.clientAuth=WANT\n").tls.client_auth == client_auth_mode::want);
  CHECK(parsed(port + "ssl.clientAuth=need\n").tls.client_auth == client_auth_mode::need);
  auto e = error_of(port + "ssl.clientAuth=sometimes\n");
  CHECK(e.key == "ssl.clientAuth");
}

TEST_CASE("TLS configurations that cannot work are start-up errors naming the key",
          "[config][tls]") {
  CHECK(error_of("secureClientPort=2281\n").key == "ssl.keyStore.location");
  CHECK(error_of("secureClientPort=0\n").key == "secureClientPort");
  auto jks = error_of("secureClientPort=2281\nssl.keyStore.location=/k.jks\n");
  CHECK(jks.key == "ssl.keyStore.type");
  CHECK(jks.to_string().find("JKS") != std::string::npos);
  CHECK(error_of("secureClientPort=2281\nssl.keyStore.location=/k.pem\n"
                 "ssl.trustStore.location=/t\nssl.trustStore.type=JKS\n")
            .key == "ssl.trustStore.type");
  CHECK(error_of("ssl.keyStore.type=BKS\n").key == "ssl.keyStore.type");
  CHECK(error_of("ssl.protocol=SSLv3\n").key == "ssl.protocol");
  CHECK(error_of("ssl.enabledProtocols=TLSv1.2,TLSv1.1\n").key == "ssl.enabledProtocols");
  CHECK(error_of("ssl.hostnameVerification=maybe\n").key == "ssl.hostnameVerification");
}

TEST_CASE("an ensemble may serve clients on the secure port only", "[config][tls]") {
  auto r = parse_zoo_cfg(base + "secureClientPort=2281\nssl.keyStore.location=/k.pem\n"
                                "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888\n");
  REQUIRE(std::holds_alternative<server_config>(r));
  auto cfg = std::get<server_config>(r);
  cfg.server_id = 1;
  CHECK_FALSE(resolve_self(cfg, "").has_value());
  CHECK_FALSE(cfg.plaintext_client_port());
}

TEST_CASE("the store type comes from the key, else from the file name", "[config][tls]") {
  CHECK(resolve_store_type("", "/a/server.pem") == store_type::pem);
  CHECK(resolve_store_type("", "/a/server.P12") == store_type::pkcs12);
  CHECK(resolve_store_type("", "/a/server.pfx") == store_type::pkcs12);
  CHECK(resolve_store_type("", "/a/server.jks") == store_type::jks);
  CHECK(resolve_store_type("", "/a/server") == store_type::unknown);
  CHECK(resolve_store_type("PKCS12", "/a/server.pem") == store_type::pkcs12);
}

TEST_CASE("a client port on this server's line keeps the plaintext port", "[config][tls]") {
  auto r = parse_zoo_cfg(base + "secureClientPort=2281\nssl.keyStore.location=/k.pem\n"
                                "server.1=127.0.0.1:2888:3888;2181\n"
                                "server.2=127.0.0.2:2888:3888;2181\n");
  REQUIRE(std::holds_alternative<server_config>(r));
  auto cfg = std::get<server_config>(r);
  cfg.server_id = 1;
  CHECK_FALSE(resolve_self(cfg, "").has_value());
  CHECK(cfg.plaintext_client_port());
  CHECK(cfg.client_port == 2181);
}
