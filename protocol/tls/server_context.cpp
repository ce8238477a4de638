#include "protocol/tls/server_context.hpp"

#include "protocol/tls/pem_reading.hpp"

#include <cstdio>
#include <cstring>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <vector>

namespace paddock::tls {

namespace {

using config::store_type;

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

struct pkcs12_contents {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509) * chain = nullptr;
  ~pkcs12_contents() {
    EVP_PKEY_free(key);
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
  }
};

std::optional<std::string> read_pkcs12(std::string_view key, const std::string& file,
                                       const std::string& password, pkcs12_contents& out) {
  file_ptr f(std::fopen(file.c_str(), "rb"));
  if (!f) return store_problem(key, file, std::string("cannot open: ") + std::strerror(errno));
  std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(d2i_PKCS12_fp(f.get(), nullptr), PKCS12_free);
  if (!p12) return store_problem(key, file, "not a PKCS12 file");
  if (!PKCS12_parse(p12.get(), password.c_str(), &out.key, &out.cert, &out.chain))
    return store_problem(key, file, "cannot read it (wrong password?)");
  return std::nullopt;
}

std::optional<std::string> load_key_store(SSL_CTX* ctx, const config::tls_settings& tls) {
  const auto& file = tls.key_store_location;
  constexpr std::string_view key = "ssl.keyStore.location";
  if (config::resolve_store_type(tls.key_store_type, file) == store_type::pkcs12) {
    pkcs12_contents p12;
    if (auto e = read_pkcs12(key, file, tls.key_store_password, p12)) return e;
    if (!p12.key || !p12.cert)
      return store_problem(key, file, "holds no private key and certificate");
    if (SSL_CTX_use_cert_and_key(ctx, p12.cert, p12.key, p12.chain, 1) != 1)
      return store_problem(key, file, "its key and certificate cannot be used");
    return std::nullopt;
  }
  if (file_ptr probe{std::fopen(file.c_str(), "rb")}; !probe)
    return store_problem(key, file, std::string("cannot open: ") + std::strerror(errno));
  SSL_CTX_set_default_passwd_cb(ctx, pem_password_callback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&tls.key_store_password));
  if (SSL_CTX_use_certificate_chain_file(ctx, file.c_str()) != 1)
    return store_problem(key, file, "holds no PEM certificate");
  if (SSL_CTX_use_PrivateKey_file(ctx, file.c_str(), SSL_FILETYPE_PEM) != 1)
    return store_problem(key, file,
                         "holds no PEM private key that can be read (an encrypted key needs "
                         "ssl.keyStore.password)");
  if (SSL_CTX_check_private_key(ctx) != 1)
    return store_problem(key, file, "its private key does not match its certificate");
  return std::nullopt;
}

std::optional<std::string> load_trust_store(SSL_CTX* ctx, const config::tls_settings& tls) {
  const auto& file = tls.trust_store_location;
  constexpr std::string_view key = "ssl.trustStore.location";
  if (file.empty()) {
    // As ZooKeeper without a trust store: the platform's CAs.
    SSL_CTX_set_default_verify_paths(ctx);
    return std::nullopt;
  }
  if (config::resolve_store_type(tls.trust_store_type, file) == store_type::pkcs12) {
    pkcs12_contents p12;
    if (auto e = read_pkcs12(key, file, tls.trust_store_password, p12)) return e;
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    int added = 0;
    if (p12.cert && X509_STORE_add_cert(store, p12.cert) == 1) ++added;
    for (int i = 0; p12.chain && i < sk_X509_num(p12.chain); ++i)
      if (X509_STORE_add_cert(store, sk_X509_value(p12.chain, i)) == 1) ++added;
    if (added == 0) return store_problem(key, file, "holds no certificates");
    return std::nullopt;
  }
  if (file_ptr probe{std::fopen(file.c_str(), "rb")}; !probe)
    return store_problem(key, file, std::string("cannot open: ") + std::strerror(errno));
  if (SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) != 1)
    return store_problem(key, file, "holds no PEM CA certificate");
  return std::nullopt;
}

int version_of(const std::string& name) {
  return name == "TLSv1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
}

std::optional<std::string> set_protocols(SSL_CTX* ctx, const config::tls_settings& tls) {
  // ZooKeeper enables ssl.enabledProtocols, else just ssl.protocol ("TLS": every version).
  std::vector<std::string> enabled = tls.enabled_protocols;
  if (enabled.empty()) {
    if (tls.protocol == "TLS")
      enabled = {"TLSv1.2", "TLSv1.3"};
    else
      enabled = {tls.protocol};
  }
  int lo = TLS1_3_VERSION, hi = TLS1_2_VERSION;
  for (const auto& p : enabled) {
    lo = std::min(lo, version_of(p));
    hi = std::max(hi, version_of(p));
  }
  // As Java's SSLContext.getInstance(ssl.protocol): no version above ssl.protocol, whatever
  // ssl.enabledProtocols lists (ZooKeeper with TLSv1.2 and TLSv1.3 enabled but the default
  // ssl.protocol=TLSv1.2 refuses TLS 1.3).
  if (tls.protocol != "TLS") hi = std::min(hi, version_of(tls.protocol));
  if (lo > hi)
    return "ssl.enabledProtocols: none of them is allowed by ssl.protocol=" + tls.protocol;
  SSL_CTX_set_min_proto_version(ctx, lo);
  SSL_CTX_set_max_proto_version(ctx, hi);
  return std::nullopt;
}

// ssl.ciphersuites holds Java's (IANA) names; OpenSSL has its own for TLS 1.2 and takes the
// TLS 1.3 suites, which keep their IANA names, through a separate call.
std::optional<std::string> set_ciphers(SSL_CTX* ctx, const config::tls_settings& tls) {
  if (tls.ciphersuites.empty()) return std::nullopt;
  std::string tls12, tls13;
  for (const auto& name : tls.ciphersuites) {
    if (name.rfind("TLS_AES_", 0) == 0 || name.rfind("TLS_CHACHA20_", 0) == 0) {
      if (!tls13.empty()) tls13 += ':';
      tls13 += name;
      continue;
    }
    const char* openssl_name = OPENSSL_cipher_name(name.c_str());
    if (openssl_name == nullptr || std::strcmp(openssl_name, "(NONE)") == 0)
      return "ssl.ciphersuites: unknown cipher suite " + name;
    if (!tls12.empty()) tls12 += ':';
    tls12 += openssl_name;
  }
  if (!tls12.empty() && SSL_CTX_set_cipher_list(ctx, tls12.c_str()) != 1)
    return "ssl.ciphersuites: none of " + tls12 + " can be used (" + openssl_errors() + ")";
  if (!tls13.empty() && SSL_CTX_set_ciphersuites(ctx, tls13.c_str()) != 1)
    return "ssl.ciphersuites: none of " + tls13 + " can be used (" + openssl_errors() + ")";
  return std::nullopt;
}

} // namespace

std::string openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

std::variant<ssl_ctx_ptr, std::string> make_server_context(const config::tls_settings& tls) {
  ERR_clear_error();
  ssl_ctx_ptr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return "cannot create a TLS context: " + openssl_errors();
  for (auto step : {load_key_store, load_trust_store, set_protocols, set_ciphers})
    if (auto e = step(ctx.get(), tls)) return *e;
  int mode = SSL_VERIFY_NONE;
  if (tls.client_auth == config::client_auth_mode::want) mode = SSL_VERIFY_PEER;
  if (tls.client_auth == config::client_auth_mode::need)
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx.get(), mode, nullptr);
  // Writes of part of a buffer, and retries from a buffer that moved: the bridge's buffers.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // No renegotiation started by a client (ZooKeeper sets
  // jdk.tls.rejectClientInitiatedRenegotiation).
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  return ctx;
}

} // namespace paddock::tls
