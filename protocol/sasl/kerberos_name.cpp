#include "protocol/sasl/kerberos_name.hpp"

namespace paddock::sasl {

std::optional<kerberos_name> parse_kerberos_name(std::string_view name) {
  // Java: the pattern ([^/@]*)(/([^/@]*))?@([^/@]*) or, with no '@' at all, the whole name.
  const auto at = name.find('@');
  if (at == std::string_view::npos) return kerberos_name{std::string(name), {}, {}};
  const auto before = name.substr(0, at);
  const auto realm = name.substr(at + 1);
  if (realm.find_first_of("/@") != std::string_view::npos) return std::nullopt;
  const auto slash = before.find('/');
  kerberos_name out;
  out.realm = std::string(realm);
  if (slash == std::string_view::npos) {
    out.service = std::string(before);
    return out;
  }
  const auto host = before.substr(slash + 1);
  if (host.find('/') != std::string_view::npos) return std::nullopt;
  out.service = std::string(before.substr(0, slash));
  out.host = std::string(host);
  return out;
}

std::string sasl_authorized_id(std::string_view authentication_id, bool remove_host,
                               bool remove_realm, std::string_view default_realm) {
  auto parsed = parse_kerberos_name(authentication_id);
  if (!parsed) return std::string(authentication_id);
  if (parsed->realm && *parsed->realm != default_realm) return std::string(authentication_id);
  std::string id = parsed->service;
  if (!remove_host && parsed->host) id += "/" + *parsed->host;
  if (!remove_realm && parsed->realm) id += "@" + *parsed->realm;
  return id;
}

} // namespace paddock::sasl
