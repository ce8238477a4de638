#include "config/quorum_sasl_settings.hpp"

namespace paddock::config {

namespace {

bool has_kerberos(const jaas_section& section) {
  for (const auto& entry : section.entries)
    if (entry.login_module.ends_with("Krb5LoginModule")) return true;
  return false;
}

// The first entry's value of `option` in `section` ("" when none has it).
std::string option_of(const jaas_section& section, const std::string& option) {
  for (const auto& entry : section.entries)
    if (auto it = entry.options.find(option); it != entry.options.end()) return it->second;
  return {};
}

} // namespace

std::variant<quorum_sasl_settings, std::string> quorum_sasl_settings_of(const server_config& cfg,
                                                                        const jaas_file& file) {
  auto where = [&](const std::string& name, const char* key) {
    return "JAAS file " + file.path + ": section '" + name + "' (" + key + ")";
  };
  const auto* server = file.jaas.find(cfg.quorum_server_login_context);
  const auto* learner = file.jaas.find(cfg.quorum_learner_login_context);
  for (auto [section, name, key] :
       {std::tuple{server, cfg.quorum_server_login_context, "quorum.auth.server.saslLoginContext"},
        std::tuple{learner, cfg.quorum_learner_login_context,
                   "quorum.auth.learner.saslLoginContext"}}) {
    if (!section)
      return "quorum.auth.enableSasl=true: JAAS file " + file.path + " (from " + file.origin +
             ") has no section named '" + name + "' (" + key + ")";
    if (has_kerberos(*section))
      return where(name, key) +
             ": Kerberos (Krb5LoginModule) between servers is not supported; quorum SASL is "
             "DIGEST-MD5 (DigestLoginModule)";
  }
  quorum_sasl_settings out;
  out.users = server_section_of(*server).users;
  if (out.users.empty())
    return where(cfg.quorum_server_login_context, "quorum.auth.server.saslLoginContext") +
           " has no user_<name>=\"<password>\" option: no server could join this one";
  out.learner_user = option_of(*learner, "username");
  out.learner_password = option_of(*learner, "password");
  if (out.learner_user.empty())
    return where(cfg.quorum_learner_login_context, "quorum.auth.learner.saslLoginContext") +
           " has no username=\"<name>\" option";
  return out;
}

std::variant<quorum_sasl_settings, std::string>
load_quorum_sasl_settings(const server_config& cfg, const char* server_jvmflags) {
  auto file = read_jaas_file(cfg, server_jvmflags);
  if (auto* e = std::get_if<std::string>(&file)) return *e;
  if (std::holds_alternative<sasl_disabled>(file))
    return "quorum.auth.enableSasl=true needs a JAAS file with the sections '" +
           cfg.quorum_server_login_context + "' and '" + cfg.quorum_learner_login_context +
           "' (zoo.cfg's jaasLoginConfig, or -Djava.security.auth.login.config in "
           "SERVER_JVMFLAGS)";
  return quorum_sasl_settings_of(cfg, std::get<jaas_file>(file));
}

} // namespace paddock::config
