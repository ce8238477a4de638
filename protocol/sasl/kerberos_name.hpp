#pragma once
// The sasl identity ZooKeeper gives an authenticated client (SaslServerCallbackHandler's
// authorize step): the authentication id read as a Kerberos name "service/host@REALM",
// shortened to its first component, then "/host" and "@REALM" put back unless
// kerberos.removeHostFromPrincipal / kerberos.removeRealmFromPrincipal say not to.
// A DIGEST-MD5 user name ("bob") has neither and stays as it is.
#include <optional>
#include <string>
#include <string_view>

namespace paddock::sasl {

struct kerberos_name {
  std::string service;              // "bob", "zookeeper"
  std::optional<std::string> host;  // after '/', when present
  std::optional<std::string> realm; // after '@', when present
};

// KerberosName's parse: "a", "a@R", "a/h@R"; a name with '@' in another form (two '@', or
// "a/h" without a realm, which ZooKeeper takes whole as the service) is read as Java reads it.
// nullopt for a name Java's KerberosName refuses (contains '@' but not in the form a[/h]@R).
std::optional<kerberos_name> parse_kerberos_name(std::string_view name);

// The authorized id ZooKeeper stores as ("sasl", id) for `authentication_id`. ZooKeeper's
// short name is the first component under the DEFAULT auth_to_local rule, which applies only
// to names in `default_realm` (the Kerberos default realm, "" when none is configured); a
// name in another realm matches no rule, and ZooKeeper then keeps it whole, host and realm
// included, whatever the kerberos.* keys say.
std::string sasl_authorized_id(std::string_view authentication_id, bool remove_host,
                               bool remove_realm, std::string_view default_realm);

} // namespace paddock::sasl
