#include "actors/tls_listener.hpp"

#include "actors/file_stamp.hpp"
#include "actors/messages/client.hpp"
#include "actors/socket_address.hpp"
#include "protocol/tls/x509_name.hpp"

#include <arpa/inet.h>
#include <caf/send.hpp>
#include <cerrno>
#include <climits>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace paddock::actors {

namespace {

// Bytes held per direction before the side that produces them is no longer read.
constexpr size_t buffer_cap = 256 * 1024;
constexpr size_t chunk = 16 * 1024;
constexpr int tick_ms = 250; // how often handshake deadlines are looked at
constexpr int64_t reload_check_us = 1'000'000;

struct ssl_free {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

struct fd_closer {
  int fd = -1;
  explicit fd_closer(int f) : fd(f) {}
  fd_closer(const fd_closer&) = delete;
  fd_closer& operator=(const fd_closer&) = delete;
  ~fd_closer() {
    if (fd >= 0) ::close(fd);
  }
};

struct connection {
  uint64_t id = 0;
  fd_closer tls_fd;    // the client's socket
  fd_closer plain{-1}; // our end of the socket pair, once the handshake is done
  std::unique_ptr<SSL, ssl_free> ssl;
  std::string ip;
  uint16_t port = 0;
  // The handshake must be done by then; later, once the server has closed its end, the
  // bytes still to go to the client must have gone by then.
  int64_t deadline_us = 0;
  std::string to_plain, to_tls; // decrypted bytes for the listener; bytes to encrypt
  bool tls_wants_write = false; // OpenSSL waits for the socket to take bytes
  bool tls_eof = false;         // the client closed (or sent close_notify)
  bool plain_eof = false;       // the client listener closed its end, all of it read
  bool plain_hup = false;       // ... closed it (epoll said so); its last bytes may wait
  uint32_t tls_events = 0, plain_events = 0;

  explicit connection(int fd) : tls_fd(fd) {}
  bool established() const { return plain.fd >= 0; }
  std::string remote() const { return ip + ":" + std::to_string(port); }
};

// epoll keys: the connection id, shifted, and which of its two sockets.
constexpr uint64_t listen_key = 0, wake_key = 1;
constexpr uint32_t forgotten = ~uint32_t{0}; // events of a socket taken out of epoll
uint64_t tls_key(uint64_t id) {
  return id << 1;
}
uint64_t plain_key(uint64_t id) {
  return (id << 1) | 1;
}

bool would_block() {
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

// Why a handshake failed, in words an operator can act on.
std::string handshake_failure(SSL* ssl, int ssl_error) {
  std::string why;
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK)
    why = std::string("client certificate rejected: ") + X509_verify_cert_error_string(verify);
  auto errors = tls::openssl_errors();
  if (ssl_error == SSL_ERROR_SYSCALL && errors.empty())
    errors = errno != 0 ? std::strerror(errno) : "the client closed the connection";
  if (!errors.empty()) why += (why.empty() ? "" : "; ") + errors;
  if (why.find("wrong version number") != std::string::npos ||
      why.find("http request") != std::string::npos ||
      why.find("unknown protocol") != std::string::npos)
    why += " (not TLS: a plaintext client on the secure port?)";
  return why;
}

} // namespace

struct tls_listener::loop {
  tls::ssl_ctx_ptr ctx;
  caf::actor client_listener;
  std::shared_ptr<const clock::source> clock;
  int32_t handshake_timeout_ms = 10000;
  std::vector<std::string> watched_files;
  std::vector<file_stamp> stamps;
  std::function<std::variant<tls::ssl_ctx_ptr, std::string>()> remake;
  int64_t next_reload_check_us = 0;
  fd_closer listen_fd{-1};
  fd_closer epoll_fd{-1};
  int wake_fd = -1;
  uint64_t next_id = 1;
  uint32_t listen_events = EPOLLIN;
  int64_t accept_resume_us = 0; // accepting stopped (accept failed) until then
  std::unordered_map<uint64_t, std::unique_ptr<connection>> connections;

  void watch(int fd, uint64_t key, uint32_t events, uint32_t& current, bool add) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = key;
    if (add || events != current)
      ::epoll_ctl(epoll_fd.fd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
    current = events;
  }

  void close(connection& c, const char* why, bool info) {
    if (info)
      spdlog::info("TLS connection {} closed: {}", c.remote(), why);
    else
      spdlog::debug("TLS connection {} closed: {}", c.remote(), why);
    if (c.established() && !c.tls_eof) SSL_shutdown(c.ssl.get()); // close_notify, best effort
    connections.erase(c.id);                                      // closes both sockets
  }

  void accept_all() {
    for (;;) {
      sockaddr_storage sa{};
      socklen_t len = sizeof sa;
      int fd = ::accept4(listen_fd.fd, reinterpret_cast<sockaddr*>(&sa), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (!would_block()) {
          // Out of descriptors, say: the waiting connection stays queued and would wake
          // epoll at once, again and again. Stop accepting until the next tick.
          spdlog::warn("secure client port: accept failed: {}; trying again shortly",
                       std::strerror(errno));
          watch(listen_fd.fd, listen_key, 0, listen_events, false);
          accept_resume_us = clock->monotonic_us() + int64_t{tick_ms} * 1000;
        }
        return;
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_unique<connection>(fd);
      c->id = ++next_id;
      std::tie(c->ip, c->port) = host_and_port(sa);
      c->deadline_us = clock->monotonic_us() + int64_t{handshake_timeout_ms} * 1000;
      c->ssl.reset(SSL_new(ctx.get()));
      if (!c->ssl || SSL_set_fd(c->ssl.get(), fd) != 1) {
        spdlog::error("secure client port: cannot set up TLS for {}: {}", c->remote(),
                      tls::openssl_errors());
        continue;
      }
      SSL_set_accept_state(c->ssl.get());
      watch(fd, tls_key(c->id), EPOLLIN, c->tls_events, true);
      auto& ref = *c;
      connections.emplace(c->id, std::move(c));
      handshake(ref);
    }
  }

  void handshake(connection& c) {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_do_handshake(c.ssl.get());
    if (r == 1) {
      established(c);
      return;
    }
    const int err = SSL_get_error(c.ssl.get(), r);
    if (err == SSL_ERROR_WANT_READ) {
      watch(c.tls_fd.fd, tls_key(c.id), EPOLLIN, c.tls_events, false);
      return;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
      watch(c.tls_fd.fd, tls_key(c.id), EPOLLOUT, c.tls_events, false);
      return;
    }
    spdlog::warn("TLS handshake with {} failed: {}", c.remote(),
                 handshake_failure(c.ssl.get(), err));
    connections.erase(c.id);
  }

  void established(connection& c) {
    std::string x509_id;
    if (X509* cert = SSL_get0_peer_certificate(c.ssl.get()))
      x509_id = tls::rfc2253_name(X509_get_subject_name(cert));
    int pair[2];
    // Both ends non-blocking: CAF's I/O thread writes to its end and must never wait on it.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
      spdlog::error("TLS connection {}: no socket pair: {}", c.remote(), std::strerror(errno));
      connections.erase(c.id);
      return;
    }
    c.plain.fd = pair[0];
    spdlog::info("TLS connection from {} ({}{})", c.remote(), SSL_get_version(c.ssl.get()),
                 x509_id.empty() ? ", no client certificate" : ", client " + x509_id);
    // The client listener owns the other end from here (it closes it with the connection).
    caf::anon_send(client_listener, tls_atom::value, pair[1], c.ip, c.port, std::move(x509_id));
    watch(c.plain.fd, plain_key(c.id), EPOLLIN, c.plain_events, true);
    pump(c);
  }

  // Moves what can be moved each way without blocking, then asks epoll for what would let
  // it move more. Closes the connection when either side is done with it.
  void pump(connection& c) {
    c.tls_wants_write = false;
    char buf[chunk];
    // Client -> listener: decrypt.
    while (!c.tls_eof && c.to_plain.size() < buffer_cap) {
      ERR_clear_error();
      errno = 0;
      const int n = SSL_read(c.ssl.get(), buf, sizeof buf);
      if (n > 0) {
        c.to_plain.append(buf, static_cast<size_t>(n));
        continue;
      }
      const int err = SSL_get_error(c.ssl.get(), n);
      if (err == SSL_ERROR_WANT_READ) break;
      if (err == SSL_ERROR_WANT_WRITE) {
        c.tls_wants_write = true;
        break;
      }
      if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno == 0)) {
        c.tls_eof = true;
        break;
      }
      spdlog::info("TLS connection {}: {}", c.remote(), handshake_failure(c.ssl.get(), err));
      connections.erase(c.id);
      return;
    }
    while (!c.to_plain.empty()) {
      const ssize_t n = ::send(c.plain.fd, c.to_plain.data(), c.to_plain.size(), MSG_NOSIGNAL);
      if (n > 0) {
        c.to_plain.erase(0, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && would_block()) break;
      close(c, "the server closed the connection", false);
      return;
    }
    if (c.tls_eof && c.to_plain.empty()) {
      close(c, "the client closed the connection", false);
      return;
    }
    // Listener -> client: encrypt.
    // Once the listener has closed its end, what is left in the pair is bounded by the
    // socket buffer: read it all, so the pair is done with and need not be watched.
    while (!c.plain_eof && (c.plain_hup || c.to_tls.size() < buffer_cap)) {
      const ssize_t n = ::recv(c.plain.fd, buf, sizeof buf, 0);
      if (n > 0) {
        c.to_tls.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && would_block()) break;
      c.plain_eof = true; // the server closed the connection (or the pair broke)
    }
    while (!c.to_tls.empty()) {
      ERR_clear_error();
      const int n = SSL_write(c.ssl.get(), c.to_tls.data(),
                              static_cast<int>(std::min<size_t>(c.to_tls.size(), INT_MAX)));
      if (n > 0) {
        c.to_tls.erase(0, static_cast<size_t>(n));
        continue;
      }
      const int err = SSL_get_error(c.ssl.get(), n);
      if (err == SSL_ERROR_WANT_WRITE) {
        c.tls_wants_write = true;
        break;
      }
      if (err == SSL_ERROR_WANT_READ) break;
      close(c, "the client went away", false);
      return;
    }
    if (c.plain_eof && c.to_tls.empty()) {
      close(c, "the server closed the connection", false);
      return;
    }
    if (c.plain_eof && c.plain_events != forgotten) {
      // Nothing more comes from the pair; a closed peer would keep waking epoll (EPOLLHUP).
      // What is left goes to the client when its socket takes it, within the deadline.
      ::epoll_ctl(epoll_fd.fd, EPOLL_CTL_DEL, c.plain.fd, nullptr);
      c.plain_events = forgotten;
      c.deadline_us = clock->monotonic_us() + int64_t{handshake_timeout_ms} * 1000;
    }
    uint32_t tls_events = 0, plain_events = 0;
    if (!c.tls_eof && c.to_plain.size() < buffer_cap) tls_events |= EPOLLIN;
    if (c.tls_wants_write) tls_events |= EPOLLOUT;
    if (!c.plain_eof && c.to_tls.size() < buffer_cap) plain_events |= EPOLLIN;
    if (!c.to_plain.empty()) plain_events |= EPOLLOUT;
    watch(c.tls_fd.fd, tls_key(c.id), tls_events, c.tls_events, false);
    if (c.plain_events != forgotten)
      watch(c.plain.fd, plain_key(c.id), plain_events, c.plain_events, false);
  }

  void expire_handshakes() {
    const auto now = clock->monotonic_us();
    std::vector<uint64_t> late;
    for (auto& [id, c] : connections)
      if ((!c->established() || c->plain_eof) && now >= c->deadline_us) late.push_back(id);
    for (auto id : late) {
      auto& c = *connections.at(id);
      if (c.established()) {
        close(c, "the client did not take the server's last bytes in time", true);
      } else {
        spdlog::warn("TLS handshake with {} failed: not done within {} ms", c.remote(),
                     handshake_timeout_ms);
        connections.erase(id);
      }
    }
  }

  // New handshakes use a context made from the files as they are now; an SSL object keeps a
  // reference to the context it was made with, so connections up keep working.
  void reload_if_changed() {
    const auto now = clock->monotonic_us();
    if (!remake || watched_files.empty() || now < next_reload_check_us) return;
    next_reload_check_us = now + reload_check_us;
    std::vector<file_stamp> current;
    for (const auto& f : watched_files)
      current.push_back(stamp_of(f));
    if (current == stamps) return;
    stamps = std::move(current);
    auto made = remake();
    if (auto* error = std::get_if<std::string>(&made)) {
      spdlog::warn("secure client port: the certificate files changed but cannot be used; "
                   "keeping the previous ones: {}",
                   *error);
      return;
    }
    ctx = std::move(std::get<tls::ssl_ctx_ptr>(made));
    spdlog::info("secure client port: certificates reloaded (new connections use them)");
  }

  void run() {
    epoll_event events[64];
    for (;;) {
      const int n = ::epoll_wait(epoll_fd.fd, events, 64, tick_ms);
      if (n < 0 && errno != EINTR) {
        spdlog::critical("secure client port: epoll_wait failed: {}", std::strerror(errno));
        return;
      }
      for (int i = 0; i < n; ++i) {
        const uint64_t key = events[i].data.u64;
        if (key == wake_key) return;
        if (key == listen_key) {
          accept_all();
          continue;
        }
        auto it = connections.find(key >> 1);
        if (it == connections.end()) continue; // closed earlier in this batch
        auto& c = *it->second;
        const bool hangup = (events[i].events & (EPOLLHUP | EPOLLERR)) != 0;
        if (hangup && (key & 1) == 0 && c.established()) {
          // The client's socket is gone (reset, or shut both ways): nothing more can reach it.
          close(c, "the client went away", false);
          continue;
        }
        if (hangup && (key & 1) == 1) c.plain_hup = true;
        if (c.established())
          pump(c);
        else
          handshake(c);
      }
      expire_handshakes();
      reload_if_changed();
      if (listen_events == 0 && clock->monotonic_us() >= accept_resume_us)
        watch(listen_fd.fd, listen_key, EPOLLIN, listen_events, false);
    }
  }
};

std::variant<std::unique_ptr<tls_listener>, std::string>
tls_listener::start(tls::ssl_ctx_ptr ctx, const options& opts, caf::actor client_listener,
                    std::shared_ptr<const clock::source> clock) {
  auto lp = std::make_unique<loop>();
  lp->ctx = std::move(ctx);
  lp->client_listener = std::move(client_listener);
  lp->clock = std::move(clock);
  lp->handshake_timeout_ms = opts.handshake_timeout_ms;
  lp->watched_files = opts.watched_files;
  lp->remake = opts.remake;
  for (const auto& f : lp->watched_files)
    lp->stamps.push_back(stamp_of(f));
  lp->next_reload_check_us = lp->clock->monotonic_us() + reload_check_us;
  const bool everywhere = opts.address.empty() || opts.address == "0.0.0.0";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const auto service = std::to_string(opts.port);
  if (int rc = ::getaddrinfo(everywhere ? nullptr : opts.address.c_str(), service.c_str(), &hints,
                             &found);
      rc != 0)
    return "cannot resolve " + opts.address + ": " + ::gai_strerror(rc);
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addrs(found, ::freeaddrinfo);
  // On every address: IPv6 with IPv4 mapped in, as the plaintext port does.
  const addrinfo* pick = found;
  for (auto* a = found; everywhere && a; a = a->ai_next)
    if (a->ai_family == AF_INET6) pick = a;
  int fd = ::socket(pick->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("cannot open a socket: ") + std::strerror(errno);
  lp->listen_fd.fd = fd;
  int one = 1, zero = 0;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (pick->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  if (::bind(fd, pick->ai_addr, pick->ai_addrlen) != 0 || ::listen(fd, 128) != 0)
    return std::string(std::strerror(errno));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  auto self = std::unique_ptr<tls_listener>(new tls_listener());
  self->port_ = host_and_port(bound).second;
  lp->epoll_fd.fd = ::epoll_create1(EPOLL_CLOEXEC);
  self->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  lp->wake_fd = self->wake_fd_;
  if (lp->epoll_fd.fd < 0 || self->wake_fd_ < 0)
    return std::string("cannot set up epoll: ") + std::strerror(errno);
  uint32_t unused = 0;
  lp->watch(fd, listen_key, EPOLLIN, unused, true);
  lp->watch(self->wake_fd_, wake_key, EPOLLIN, unused, true);
  self->loop_ = std::move(lp);
  self->thread_ = std::thread([l = self->loop_.get()] { l->run(); });
  return self;
}

tls_listener::~tls_listener() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

} // namespace paddock::actors
