#pragma once
// A JAAS login configuration file, the one a ZooKeeper server is given with
// -Djava.security.auth.login.config: named sections of login-module entries with options.
//
//   Server {
//     org.apache.zookeeper.server.auth.DigestLoginModule required
//     user_bob="bobsecret";
//   };
//
// Only what ZooKeeper users write there is understood: sections, a login module's class
// name, its flag, and name=value options (quoted or bare), with //, /* */ and # comments.
// Parsing is pure (text in, sections or an error with its line out).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace paddock::config {

struct jaas_entry {
  std::string login_module;                   // "org.apache...DigestLoginModule"
  std::string flag;                           // required, requisite, sufficient or optional
  std::map<std::string, std::string> options; // user_bob -> "bobsecret", keyTab -> ...
};

struct jaas_section {
  std::string name; // "Server", "Client", "QuorumServer", ...
  std::vector<jaas_entry> entries;
};

struct jaas_config {
  std::vector<jaas_section> sections;
  const jaas_section* find(std::string_view name) const; // nullptr when absent
};

struct jaas_error {
  int line = 0; // 1-based line of the text where the problem is
  std::string message;
};

std::variant<jaas_config, jaas_error> parse_jaas(std::string_view text);

// What a ZooKeeper server takes from its `Server` section: DigestLoginModule's
// user_<name>="<password>" options (from every entry, as SaslServerCallbackHandler does), and a
// Krb5LoginModule's keyTab and principal (then the mechanism is GSSAPI, not DIGEST-MD5).
struct sasl_server_section {
  std::map<std::string, std::string> users; // name -> password
  std::string keytab;                       // Krb5LoginModule keyTab ("" = none)
  std::string principal;                    // Krb5LoginModule principal, "zookeeper/host@REALM"
  bool uses_kerberos() const { return !principal.empty(); }
};
sasl_server_section server_section_of(const jaas_section& section);

} // namespace paddock::config

namespace paddock::config {

// The value of -Djava.security.auth.login.config=PATH in JVM flags text (SERVER_JVMFLAGS, as
// zkServer.sh users set it): the last one given wins, as in Java. nullopt when absent.
std::optional<std::string> jaas_path_from_jvm_flags(std::string_view flags);

} // namespace paddock::config
