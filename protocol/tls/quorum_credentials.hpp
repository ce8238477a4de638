#pragma once
// Checks the files of TLS between servers (ssl.quorum.keyStore / trustStore) as CAF's OpenSSL
// module will read them at every peer connection: the PEM key store's certificate chain, its
// private key (decrypted with ssl.quorum.keyStore.password) matching the certificate, and
// the trust store's CA certificates. CAF aborts the process when a file it reads at a
// connection is unusable, so the server checks them first (at start and before a reload).
#include "config/quorum_tls_settings.hpp"

#include <optional>
#include <string>

namespace paddock::tls {

// nullopt when both files are usable, else what is wrong, naming the key and the file.
std::optional<std::string> check_quorum_credentials(const std::string& key_store,
                                                    const std::string& key_store_password,
                                                    const std::string& trust_store);

} // namespace paddock::tls
