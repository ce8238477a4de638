#include "protocol/tls/quorum_credentials.hpp"

#include "protocol/tls/pem_reading.hpp"
#include "protocol/tls/server_context.hpp"

#include <cstdio>
#include <cstring>
#include <memory>
#include <openssl/pem.h>

namespace paddock::tls {

std::optional<std::string> check_quorum_credentials(const std::string& key_store,
                                                    const std::string& key_store_password,
                                                    const std::string& trust_store) {
  ssl_ctx_ptr ctx{SSL_CTX_new(TLS_method())};
  if (!ctx) return "cannot create a TLS context: " + openssl_errors();
  constexpr std::string_view ks = "ssl.quorum.keyStore.location";
  SSL_CTX_set_default_passwd_cb(ctx.get(), pem_password_callback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx.get(), const_cast<std::string*>(&key_store_password));
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), key_store.c_str()) != 1)
    return store_problem(ks, key_store, "cannot be read or holds no PEM certificate");
  // The key read apart from its use, so that a key that is not the certificate's is told
  // apart from one that cannot be read.
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
  if (std::unique_ptr<std::FILE, decltype(&std::fclose)> f{std::fopen(key_store.c_str(), "rb"),
                                                           std::fclose};
      f)
    key.reset(PEM_read_PrivateKey(f.get(), nullptr, pem_password_callback,
                                  const_cast<std::string*>(&key_store_password)));
  if (!key)
    return store_problem(ks, key_store,
                         "holds no PEM private key that can be read (an encrypted key needs "
                         "ssl.quorum.keyStore.password)");
  if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1)
    return store_problem(ks, key_store, "its private key does not match its certificate");
  if (SSL_CTX_load_verify_locations(ctx.get(), trust_store.c_str(), nullptr) != 1)
    return store_problem("ssl.quorum.trustStore.location", trust_store,
                         "cannot be read or holds no PEM CA certificate");
  return std::nullopt;
}

} // namespace paddock::tls
