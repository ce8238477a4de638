#pragma once
// What quorum SASL (quorum.auth.enableSasl=true) takes from the server's JAAS file: the
// QuorumServer section's user_<name>="<password>" options (the learners this server accepts)
// and the QuorumLearner section's username/password (what this server presents to the
// others). The section names are zoo.cfg's quorum.auth.{server,learner}.saslLoginContext.
// DIGEST-MD5 only: a Krb5LoginModule in either section is an error.
#include "config/sasl_settings.hpp"

#include <map>
#include <string>
#include <variant>

namespace paddock::config {

struct quorum_sasl_settings {
  std::map<std::string, std::string> users; // accepted learners: name -> password
  std::string learner_user;                 // this server's own name and password
  std::string learner_password;
};

// The settings, or an error naming the JAAS file and the section (or the missing file).
// Only meaningful with cfg.quorum_enable_sasl.
std::variant<quorum_sasl_settings, std::string>
load_quorum_sasl_settings(const server_config& cfg, const char* server_jvmflags);

// The same from an already parsed file (the part unit tests reach without files).
std::variant<quorum_sasl_settings, std::string> quorum_sasl_settings_of(const server_config& cfg,
                                                                        const jaas_file& file);

} // namespace paddock::config
