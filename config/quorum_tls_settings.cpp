#include "config/quorum_tls_settings.hpp"

#include "config/tls_settings.hpp"
#include "config/zoo_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace paddock::config {

namespace {

bool parse_int32(std::string_view text, int32_t& out) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end && !text.empty();
}

constexpr std::string_view prefix = "ssl.quorum.";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

config_error invalid(std::string_view key, std::string_view value, std::string message) {
  return config_error{std::string(key), std::string(value), std::move(message)};
}

std::optional<config_error> set_bool(std::string_view key, std::string_view value, bool& out) {
  const auto v = lower(value);
  if (v != "true" && v != "false") return invalid(key, value, "must be true or false");
  out = v == "true";
  return std::nullopt;
}

// CAF's OpenSSL module sets these itself, the same for every connection.
const char* const fixed_by_caf =
    "CAF's OpenSSL module, which carries the quorum, negotiates TLSv1.2 or TLSv1.3 with its "
    "own cipher list (OpenSSL's HIGH set); remove the key";

} // namespace

std::optional<std::optional<config_error>>
apply_quorum_tls_key(quorum_tls_settings& tls, std::string_view key, std::string_view value,
                     std::vector<std::string>& warnings) {
  using result = std::optional<config_error>;
  if (key == "sslQuorum") return result{set_bool(key, value, tls.ssl_quorum)};
  if (key == "portUnification") return result{set_bool(key, value, tls.port_unification)};
  if (key == "sslQuorumReloadCertFiles") return result{set_bool(key, value, tls.reload_cert_files)};
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  const auto name = key.substr(prefix.size());
  const auto v = lower(value);
  if (name == "keyStore.location") {
    tls.key_store_location = value;
  } else if (name == "keyStore.password") {
    tls.key_store_password = value;
  } else if (name == "keyStore.type" || name == "trustStore.type") {
    if (!v.empty() && v != "pem")
      return result{invalid(key, value,
                            "only PEM stores are supported between servers (CAF's OpenSSL "
                            "module reads PEM files); convert it, e.g. with openssl pkcs12 "
                            "-nodes")};
    (name == "keyStore.type" ? tls.key_store_type : tls.trust_store_type) = v;
  } else if (name == "trustStore.location") {
    tls.trust_store_location = value;
  } else if (name == "trustStore.password") {
    // A PEM trust store has no password; ZooKeeper ignores it for PEM too.
  } else if (name == "protocol") {
    if (value != "TLSv1.2" && value != "TLSv1.3" && value != "TLS")
      return result{invalid(key, value, "must be TLSv1.2 or TLSv1.3")};
    tls.protocol = value;
    warnings.push_back(std::string(key) + "=" + std::string(value) +
                       " is read but not applied: between servers CAF's OpenSSL module "
                       "negotiates the highest version both sides support (TLSv1.2 or TLSv1.3)");
  } else if (name == "enabledProtocols" || name == "ciphersuites") {
    return result{invalid(key, value, fixed_by_caf)};
  } else if (name == "hostnameVerification") {
    bool on = true;
    if (auto e = set_bool(key, value, on)) return result{e};
    if (on)
      return result{invalid(key, value,
                            "Paddock does not check a peer's host name against its certificate "
                            "(CAF's OpenSSL module verifies the chain against the trust store "
                            "only); set it to false")};
    tls.hostname_verification = false;
  } else if (name == "clientAuth") {
    if (!v.empty() && v != "need")
      return result{invalid(key, value,
                            "between servers both sides always present a certificate (CAF's "
                            "OpenSSL module requires one); only need is possible")};
  } else if (name == "crl" || name == "ocsp") {
    bool on = false;
    if (auto e = set_bool(key, value, on)) return result{e};
    if (on)
      return result{invalid(key, value,
                            "revocation checks are not supported between servers; set it to "
                            "false")};
  } else if (name == "context.supplier.class" || name == "sslProvider") {
    return result{
        invalid(key, value, "between servers Paddock uses CAF's OpenSSL module; remove the key")};
  } else if (name == "handshakeDetectionTimeoutMillis") {
    int32_t ms = 0;
    if (!parse_int32(value, ms))
      return result{invalid(key, value, "must be a number of milliseconds")};
    if (ms < 1) {
      // As ZooKeeper: no timeout would let a silent connection wait for ever.
      warnings.push_back(std::string(key) + "=" + std::string(value) +
                         " is not allowed (at least 1); the default, 5000, is used");
      ms = 5000;
    }
    tls.handshake_detection_timeout_ms = ms;
  } else {
    // Keys of later versions.
    warnings.push_back("key " + std::string(key) + " is not used by TLS between servers (ignored)");
  }
  return result{};
}

std::optional<config_error> check_quorum_tls(const quorum_tls_settings& tls) {
  if (!tls.uses_stores()) return std::nullopt;
  const std::string with = tls.ssl_quorum ? "sslQuorum=true" : "portUnification=true";
  if (tls.key_store_location.empty())
    return invalid("ssl.quorum.keyStore.location", "",
                   "is required with " + with +
                       ": a PEM file with this server's private key and certificate chain");
  if (tls.trust_store_location.empty())
    return invalid("ssl.quorum.trustStore.location", "",
                   "is required with " + with +
                       ": the PEM CA certificates a peer's certificate must be signed by");
  auto not_pem = [](const std::string& type, const std::string& location) {
    return resolve_store_type(type, location) != store_type::pem;
  };
  if (not_pem(tls.key_store_type, tls.key_store_location))
    return invalid("ssl.quorum.keyStore.location", tls.key_store_location,
                   "must be a PEM file (name it .pem or set ssl.quorum.keyStore.type=PEM)");
  if (not_pem(tls.trust_store_type, tls.trust_store_location))
    return invalid("ssl.quorum.trustStore.location", tls.trust_store_location,
                   "must be a PEM file (name it .pem or set ssl.quorum.trustStore.type=PEM)");
  return std::nullopt;
}

} // namespace paddock::config
