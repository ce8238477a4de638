#include "config/sasl_settings.hpp"

#include <fstream>
#include <sstream>

namespace paddock::config {

std::variant<sasl_settings, sasl_disabled, std::string>
load_sasl_settings(const server_config& cfg, const char* server_jvmflags) {
  std::string path = cfg.jaas_login_config;
  std::string origin = "jaasLoginConfig";
  if (path.empty() && server_jvmflags) {
    if (auto p = jaas_path_from_jvm_flags(server_jvmflags)) {
      path = *p;
      origin = "-Djava.security.auth.login.config in SERVER_JVMFLAGS";
    }
  }
  if (path.empty()) return sasl_disabled{};
  std::ifstream in(path);
  if (!in) return "cannot read the JAAS file " + path + " (from " + origin + ")";
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_jaas(text.str());
  if (auto* e = std::get_if<jaas_error>(&parsed))
    return "JAAS file " + path + ", line " + std::to_string(e->line) + ": " + e->message;
  const auto& jaas = std::get<jaas_config>(parsed);
  const auto* section = jaas.find(cfg.sasl_server_section);
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
