// A repair of CAF 0.17's OpenSSL module, linked into the server binary.
//
// OpenSSL decides what a failed SSL_read/SSL_write/SSL_connect/SSL_accept means
// (SSL_get_error) from the calling thread's error queue, which must therefore be empty
// before each call. CAF's module never empties it: it drains the queue only to log, and
// Debian's CAF is built without logging. All peer connections share CAF's one multiplexer
// thread, so a single failed TLS operation on one connection (a peer with an untrusted
// certificate, a plaintext peer, a peer closing a redundant connection without close_notify)
// leaves an error that turns the next "would block" on any other connection into a fatal
// error: healthy quorum links dropped with remote_link_unreachable, over and over.
//
// These definitions stand in for libssl's four functions (the executable's symbols come
// first when the dynamic linker resolves libcaf_openssl's references) and empty the queue
// before calling libssl's own, as OpenSSL's manual asks of every caller. Paddock's own TLS
// code (actors/tls_listener.cpp) empties it itself, so this changes nothing there.
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class Fn> Fn real(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto next = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return next(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto next = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return next(ssl, buf, num);
}

int SSL_connect(SSL* ssl) {
  static const auto next = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return next(ssl);
}

int SSL_accept(SSL* ssl) {
  static const auto next = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return next(ssl);
}

} // extern "C"
