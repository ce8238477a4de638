#pragma once
// TLS between servers, with ZooKeeper 3.8's zoo.cfg keys: sslQuorum, the ssl.quorum.* keys of
// its QuorumX509Util, portUnification and sslQuorumReloadCertFiles. Parsed and checked here;
// actors/quorum_tls.* hands them to CAF's OpenSSL module, which fixes part of the TLS setup
// itself (mutual authentication always on, its own cipher list, no host name check): a key
// asking for something else is refused with a message naming it, or read with a warning.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::config {

struct config_error;

struct quorum_tls_settings {
  bool ssl_quorum = false;          // sslQuorum: election and ZAB traffic over TLS
  bool port_unification = false;    // portUnification: peer ports take TLS and plaintext
  bool reload_cert_files = false;   // sslQuorumReloadCertFiles
  std::string key_store_location;   // ssl.quorum.keyStore.location: key + certificate chain (PEM)
  std::string key_store_password;   // ssl.quorum.keyStore.password: an encrypted PEM key's
  std::string key_store_type;       // ssl.quorum.keyStore.type ("": from the file name)
  std::string trust_store_location; // ssl.quorum.trustStore.location: CA certificates (PEM)
  std::string trust_store_type;     // ssl.quorum.trustStore.type
  std::string protocol;             // ssl.quorum.protocol (read, not applied: a warning)
  // ssl.quorum.hostnameVerification: unset, true or false. CAF checks the peer's chain, never
  // its host name: true is refused, unset is warned about.
  std::optional<bool> hostname_verification;
  // ssl.quorum.handshakeDetectionTimeoutMillis: with portUnification, how long a new peer
  // connection may stay silent before its first bytes say TLS or plaintext.
  int32_t handshake_detection_timeout_ms = 5000;

  // The stores are used (and so required): for TLS peers out (sslQuorum) or in
  // (portUnification accepts TLS peers even while sslQuorum=false).
  bool uses_stores() const { return ssl_quorum || port_unification; }
};

// One key of the above: nullopt when `key` is none of them, else its outcome (an error or
// none). Keys read but not applied add a line to `warnings`.
std::optional<std::optional<config_error>> apply_quorum_tls_key(quorum_tls_settings& tls,
                                                                std::string_view key,
                                                                std::string_view value,
                                                                std::vector<std::string>& warnings);

// The checks across keys, once the file is read: with sslQuorum or portUnification a PEM key
// store and a PEM trust store.
std::optional<config_error> check_quorum_tls(const quorum_tls_settings& tls);

} // namespace paddock::config
