#pragma once
// The x509 auth id of a TLS client: its certificate's subject, spelled as Java's
// X500Principal.getName() (RFC 2253) spells it, which is what ZooKeeper's
// X509AuthenticationProvider uses: most specific RDN first, "CN=client,OU=eng,O=Example,C=US".
#include <openssl/x509.h>
#include <string>

namespace paddock::tls {

// Java's RFC 2253 form: attribute types it has keywords for (CN, C, L, ST, O, OU, STREET, DC,
// UID) by keyword, others by dotted OID with the value as '#' and the hex of its DER
// encoding; values escaped as RFC 2253 says (",+\"\\<>;", a leading '#' or space, a
// trailing space); multi-valued RDNs joined with '+'.
std::string rfc2253_name(const X509_NAME* name);

} // namespace paddock::tls
