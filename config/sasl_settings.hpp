#pragma once
// Where the server's SASL settings come from at start-up: the JAAS file named by zoo.cfg's
// jaasLoginConfig, else by -Djava.security.auth.login.config=... in the SERVER_JVMFLAGS
// environment variable (what ZooKeeper's zkServer.sh users already set); its `Server` section
// (or sasl.serverconfig's); and zoo.cfg's kerberos.* keys. protocol/sasl sets Cyrus up
// from the result.
#include "config/jaas_config.hpp"
#include "config/zoo_config.hpp"

#include <string>
#include <variant>

namespace paddock::config {

struct sasl_settings {
  sasl_server_section section; // users, keytab, principal
  bool remove_host_from_principal = false;
  bool remove_realm_from_principal = false;
};

struct sasl_disabled {}; // no JAAS file given: a SASL packet gets ZooKeeper's null answer

// The JAAS file the server was given (jaasLoginConfig, else SERVER_JVMFLAGS), parsed.
struct jaas_file {
  std::string path;
  std::string origin; // where its path came from, for messages
  jaas_config jaas;
};
// The file, sasl_disabled (none given), or an error naming the file (and line).
std::variant<jaas_file, sasl_disabled, std::string> read_jaas_file(const server_config& cfg,
                                                                   const char* server_jvmflags);

// The settings, sasl_disabled, or an error naming the key or the file (and line).
std::variant<sasl_settings, sasl_disabled, std::string>
load_sasl_settings(const server_config& cfg, const char* server_jvmflags);

} // namespace paddock::config
