#pragma once
// Client TLS, with ZooKeeper 3.8's zoo.cfg keys: secureClientPort(Address) and the ssl.* keys
// of its ClientX509Util. Parsed and validated here; protocol/tls builds the OpenSSL context.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::config {

struct config_error;

enum class client_auth_mode { none, want, need }; // ssl.clientAuth

struct tls_settings {
  int32_t secure_client_port = 0;         // secureClientPort (0: no TLS listener)
  std::string secure_client_port_address; // secureClientPortAddress ("": all addresses)
  std::string key_store_location;         // ssl.keyStore.location: key + certificate chain
  std::string key_store_password;         // ssl.keyStore.password (an encrypted PEM key)
  std::string key_store_type;             // ssl.keyStore.type ("": from the file name)
  std::string trust_store_location;       // ssl.trustStore.location: CA certificates
  std::string trust_store_password;       // ssl.trustStore.password (PKCS12 only)
  std::string trust_store_type;           // ssl.trustStore.type
  client_auth_mode client_auth = client_auth_mode::need; // ZooKeeper's default
  std::string protocol = "TLSv1.2";                      // ssl.protocol
  std::vector<std::string> enabled_protocols;            // ssl.enabledProtocols ("": protocol)
  std::vector<std::string> ciphersuites;                 // ssl.ciphersuites ("": OpenSSL's)
  // ssl.hostnameVerification: ZooKeeper 3.8's server never checks a client's host name on
  // the client port (ClientX509Util turns it off there); read and kept for the record.
  bool hostname_verification = true;

  bool enabled() const { return secure_client_port != 0; }
};

// The file type a store is read as: the ssl.*.type key, else guessed from the file's name
// as ZooKeeper does (.pem, .crt, .key -> PEM; .p12, .pfx -> PKCS12; .jks -> JKS).
enum class store_type { pem, pkcs12, jks, unknown };
store_type resolve_store_type(std::string_view type_key, std::string_view location);

// One TLS key: nullopt when `key` is not a TLS key, else its outcome (an error or none).
std::optional<std::optional<config_error>> apply_tls_key(tls_settings& tls, std::string_view key,
                                                         std::string_view value);

// The checks across keys, once the file is read: a key store for a secure port, no JKS.
// (TLS between servers, sslQuorum and ssl.quorum.*, is config/quorum_tls_settings.hpp.)
std::optional<config_error> check_tls(const tls_settings& tls);

} // namespace paddock::config
