#include "config/tls_settings.hpp"

#include "config/zoo_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace paddock::config {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A comma-separated list, items trimmed, empty items dropped (as ZooKeeper's split).
std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    auto comma = value.find(',');
    auto item = value.substr(0, comma);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front())))
      item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back())))
      item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
  }
  return out;
}

bool known_protocol(std::string_view p) {
  return p == "TLSv1.2" || p == "TLSv1.3" || p == "TLS";
}

config_error invalid(std::string_view key, std::string_view value, std::string message) {
  return config_error{std::string(key), std::string(value), std::move(message)};
}

std::optional<config_error> set_store_type(std::string_view key, std::string_view value,
                                           std::string& out) {
  const auto t = lower(value);
  if (!t.empty() && t != "pem" && t != "pkcs12" && t != "jks")
    return invalid(key, value, "must be PEM, PKCS12 or JKS");
  out = t;
  return std::nullopt;
}

} // namespace

store_type resolve_store_type(std::string_view type_key, std::string_view location) {
  auto t = lower(type_key);
  if (t.empty()) {
    auto name = lower(location);
    if (ends_with(name, ".pem") || ends_with(name, ".crt") || ends_with(name, ".key"))
      return store_type::pem;
    if (ends_with(name, ".p12") || ends_with(name, ".pfx")) return store_type::pkcs12;
    if (ends_with(name, ".jks")) return store_type::jks;
    return store_type::unknown;
  }
  if (t == "pem") return store_type::pem;
  if (t == "pkcs12") return store_type::pkcs12;
  if (t == "jks") return store_type::jks;
  return store_type::unknown;
}

std::optional<std::optional<config_error>> apply_tls_key(tls_settings& tls, std::string_view key,
                                                         std::string_view value) {
  using result = std::optional<config_error>;
  if (key == "secureClientPort") {
    int32_t port = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
    if (ec != std::errc{} || end != value.data() + value.size() || port < 1 || port > 65535)
      return result{invalid(key, value, "must be a port number (1-65535)")};
    tls.secure_client_port = port;
    return result{};
  }
  if (key == "secureClientPortAddress") {
    tls.secure_client_port_address = value;
    return result{};
  }
  if (key.substr(0, 4) != "ssl." || key.substr(0, 11) == "ssl.quorum.") return std::nullopt;
  const auto name = key.substr(4);
  if (name == "keyStore.location")
    tls.key_store_location = value;
  else if (name == "keyStore.password")
    tls.key_store_password = value;
  else if (name == "keyStore.type")
    return result{set_store_type(key, value, tls.key_store_type)};
  else if (name == "trustStore.location")
    tls.trust_store_location = value;
  else if (name == "trustStore.password")
    tls.trust_store_password = value;
  else if (name == "trustStore.type")
    return result{set_store_type(key, value, tls.trust_store_type)};
  else if (name == "clientAuth") {
    const auto v = lower(value);
    if (v == "none")
      tls.client_auth = client_auth_mode::none;
    else if (v == "want")
      tls.client_auth = client_auth_mode::want;
    else if (v == "need" || v.empty())
      tls.client_auth = client_auth_mode::need;
    else
      return result{invalid(key, value, "must be none, want or need")};
  } else if (name == "protocol") {
    if (!known_protocol(value)) return result{invalid(key, value, "must be TLSv1.2 or TLSv1.3")};
    tls.protocol = value;
  } else if (name == "enabledProtocols") {
    tls.enabled_protocols = split_list(value);
    for (const auto& p : tls.enabled_protocols)
      if (p != "TLSv1.2" && p != "TLSv1.3")
        return result{
            invalid(key, value, "Paddock supports TLSv1.2 and TLSv1.3 (not '" + p + "')")};
  } else if (name == "ciphersuites") {
    tls.ciphersuites = split_list(value);
  } else if (name == "hostnameVerification") {
    const auto v = lower(value);
    if (v != "true" && v != "false") return result{invalid(key, value, "must be true or false")};
    tls.hostname_verification = v == "true";
  } else {
    return std::nullopt; // other ssl.* keys: accepted with the "not used" warning
  }
  return result{};
}

std::optional<config_error> check_tls(const tls_settings& tls) {
  if (!tls.enabled()) return std::nullopt;
  if (tls.key_store_location.empty())
    return invalid("ssl.keyStore.location", "",
                   "is required with secureClientPort: a PEM file with the server's private "
                   "key and certificate chain");
  auto refuse_jks = [](std::string_view key, std::string_view type, const std::string& where) {
    return invalid(key, std::string(type),
                   "JKS stores are not supported (" + where +
                       "); convert it to PEM or PKCS12, e.g. with keytool -importkeystore "
                       "-deststoretype PKCS12");
  };
  if (resolve_store_type(tls.key_store_type, tls.key_store_location) == store_type::jks)
    return refuse_jks("ssl.keyStore.type", tls.key_store_type.empty() ? "jks" : tls.key_store_type,
                      tls.key_store_location);
  if (!tls.trust_store_location.empty() &&
      resolve_store_type(tls.trust_store_type, tls.trust_store_location) == store_type::jks)
    return refuse_jks("ssl.trustStore.type",
                      tls.trust_store_type.empty() ? "jks" : tls.trust_store_type,
                      tls.trust_store_location);
  return std::nullopt;
}

} // namespace paddock::config
