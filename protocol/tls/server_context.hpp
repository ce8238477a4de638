#pragma once
// The OpenSSL server context for the secure client port, built from zoo.cfg's ssl.* keys:
// the key store (PEM: private key and certificate chain in one file, or PKCS12), the trust
// store (PEM CA certificates or PKCS12; none: the system's CAs), ssl.clientAuth, the
// protocol versions and cipher suites. Every error names the key and the file.
#include "config/tls_settings.hpp"

#include <memory>
#include <openssl/ssl.h>
#include <string>
#include <variant>

namespace paddock::tls {

struct ssl_ctx_free {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ssl_ctx_free>;

// The context, or an error message naming the key at fault.
std::variant<ssl_ctx_ptr, std::string> make_server_context(const config::tls_settings& tls);

// The OpenSSL errors queued on this thread, joined with "; " (and the queue cleared).
std::string openssl_errors();

} // namespace paddock::tls
