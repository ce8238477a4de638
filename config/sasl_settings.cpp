#include "config/sasl_settings.hpp"

#include <fstream>
#include <sstream>

namespace paddock::config {

std::variant<jaas_file, sasl_disabled, std::string> read_jaas_file(const server_config& cfg,
                                                                   const char* server_jvmflags) {
  jaas_file out;
  out.path = cfg.jaas_login_config;
  out.origin = "jaasLoginConfig";
  if (out.path.empty() && server_jvmflags) {
    if (auto p = jaas_path_from_jvm_flags(server_jvmflags)) {
      out.path = *p;
      out.origin = "-Djava.security.auth.login.config in SERVER_JVMFLAGS";
    }
  }
  if (out.path.empty()) return sasl_disabled{};
  std::ifstream in(out.path);
  if (!in) return "cannot read the JAAS file " + out.path + " (from " + out.origin + ")";
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_jaas(text.str());
  if (auto* e = std::get_if<jaas_error>(&parsed))
    return "JAAS file " + out.path + ", line " + std::to_string(e->line) + ": " + e->message;
  out.jaas = std::move(std::get<jaas_config>(parsed));
  return out;
}

std::variant<sasl_settings, sasl_disabled, std::string>
load_sasl_settings(const server_config& cfg, const char* server_jvmflags) {
  auto file = read_jaas_file(cfg, server_jvmflags);
  if (auto* e = std::get_if<std::string>(&file)) return *e;
  if (std::holds_alternative<sasl_disabled>(file)) return sasl_disabled{};
  const auto& [path, origin, jaas] = std::get<jaas_file>(file);
  const auto* section = jaas.find(cfg.sasl_server_section);
  // A JAAS file given for quorum SASL alone (no client section): clients get no SASL, as in
  // ZooKeeper, which skips client SASL when its JAAS file lacks the section.
  if (!section && cfg.quorum_enable_sasl) return sasl_disabled{};
  if (!section)
    return "JAAS file " + path + " (from " + origin + ") has no section named '" +
           cfg.sasl_server_section +
           "' (the section a server reads; sasl.serverconfig names "
           "another)";
  sasl_settings out;
  out.section = server_section_of(*section);
  if (!out.section.uses_kerberos() && out.section.users.empty())
    return "JAAS file " + path + ": section '" + cfg.sasl_server_section +
           "' has neither user_<name>=\"<password>\" options (DIGEST-MD5) nor a Krb5LoginModule "
           "principal (GSSAPI)";
  // Kerberos reads the keytab only when the first client comes; a missing one is said now.
  if (out.section.uses_kerberos() && !out.section.keytab.empty() &&
      !std::ifstream(out.section.keytab))
    return "JAAS file " + path + ": section '" + cfg.sasl_server_section + "': the keyTab " +
           out.section.keytab + " cannot be read";
  out.remove_host_from_principal = cfg.remove_host_from_principal;
  out.remove_realm_from_principal = cfg.remove_realm_from_principal;
  return out;
}

} // namespace paddock::config
