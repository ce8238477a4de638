#include "actors/peer_port_front.hpp"

#include "actors/socket_address.hpp"
#include "protocol/tls/peer_greeting.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace paddock::actors {

namespace {

// Bytes held per direction before the side that sends them is no longer read.
constexpr size_t buffer_cap = 256 * 1024;
constexpr int tick_ms = 250; // how often deadlines (and paused acceptors) are looked at
// Once one side has closed, the other has this long to take the last bytes and close too.
constexpr int64_t closing_timeout_us = 10'000'000;

struct fd_closer {
  int fd = -1;
  explicit fd_closer(int f) : fd(f) {}
  fd_closer(const fd_closer&) = delete;
  fd_closer& operator=(const fd_closer&) = delete;
  fd_closer(fd_closer&& o) noexcept : fd(o.fd) { o.fd = -1; }
  ~fd_closer() {
    if (fd >= 0) ::close(fd);
  }
};

bool would_block() {
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

// The bytes on their way from one socket to the other: read into the tail, written from
// the head, moved to the front only when the tail reached the end.
class byte_buffer {
public:
  enum class io { progress, blocked, full_or_empty, end, failed };

  size_t size() const { return tail_ - head_; }
  bool empty() const { return head_ == tail_; }
  std::string_view view() const { return {data_.get() + head_, size()}; }

  // One recv into the free space.
  io read_from(int fd) {
    if (!data_) data_ = std::make_unique<char[]>(buffer_cap);
    if (tail_ == buffer_cap && head_ > 0) {
      std::memmove(data_.get(), data_.get() + head_, size());
      tail_ -= head_;
      head_ = 0;
    }
    if (tail_ == buffer_cap) return io::full_or_empty;
    for (;;) {
      const ssize_t n = ::recv(fd, data_.get() + tail_, buffer_cap - tail_, 0);
      if (n > 0) {
        tail_ += static_cast<size_t>(n);
        return io::progress;
      }
      if (n == 0) return io::end;
      if (errno == EINTR) continue;
      return would_block() ? io::blocked : io::failed;
    }
  }

  // One send of what is held.
  io write_to(int fd) {
    if (empty()) return io::full_or_empty;
    for (;;) {
      const ssize_t n = ::send(fd, data_.get() + head_, size(), MSG_NOSIGNAL);
      if (n > 0) {
        head_ += static_cast<size_t>(n);
        if (head_ == tail_) head_ = tail_ = 0;
        return io::progress;
      }
      if (n < 0 && errno == EINTR) continue;
      return n < 0 && would_block() ? io::blocked : io::failed;
    }
  }

private:
  std::unique_ptr<char[]> data_; // allocated on first use
  size_t head_ = 0, tail_ = 0;
};

std::string address_of(const sockaddr_storage& sa) {
  auto [host, port] = host_and_port(sa);
  return host + ":" + std::to_string(port);
}

void no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// A listening socket on host:port, or why not.
std::variant<fd_closer, std::string> bind_listener(const std::string& host, uint16_t port) {
  const bool everywhere = host.empty();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const auto service = std::to_string(port);
  if (int rc = ::getaddrinfo(everywhere ? nullptr : host.c_str(), service.c_str(), &hints, &found);
      rc != 0)
    return "cannot resolve " + host + ": " + ::gai_strerror(rc);
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addrs(found, ::freeaddrinfo);
  fd_closer fd(::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.fd < 0) return std::string("cannot open a socket: ") + std::strerror(errno);
  int one = 1;
  ::setsockopt(fd.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd.fd, 128) != 0)
    return std::string(std::strerror(errno));
  return fd;
}

enum class phase {
  greeting,   // waiting for the first bytes
  connecting, // to the internal port they chose
  spliced,    // bytes both ways
};

struct connection {
  uint64_t id = 0;
  fd_closer peer;      // the connecting server's socket
  fd_closer local{-1}; // ours, to CAF's internal port
  std::string remote;  // the peer's address, for the log
  uint16_t public_port = 0;
  peer_port_front::route to;
  phase at = phase::greeting;
  bool tls = false;
  byte_buffer up;                             // peer -> CAF
  byte_buffer down;                           // CAF -> peer
  bool peer_end = false, local_end = false;   // that side sent its last byte
  bool peer_shut = false, local_shut = false; // we shut that side's writing down
  int64_t deadline_us = 0; // greeting / connecting: by then; closing: the rest by then

  explicit connection(int fd) : peer(fd) {}
  const char* kind() const { return tls ? "TLS" : "plaintext"; }
};

// epoll keys: 0 the wake-up; a listener by its port with the top bit; a connection's two
// sockets by its id, shifted, and the side.
constexpr uint64_t wake_key = 0;
constexpr uint64_t listener_bit = uint64_t{1} << 63;
uint64_t peer_key(uint64_t id) {
  return id << 1;
}
uint64_t local_key(uint64_t id) {
  return (id << 1) | 1;
}

struct listener {
  fd_closer fd;
  peer_port_front::route to;
  int64_t paused_until_us = -1; // accept failed (out of descriptors): tried again then
};

struct command {
  enum class kind { open, close } what = kind::open;
  uint16_t port = 0;
  int fd = -1; // open: the bound socket, owned by the command until taken
  peer_port_front::route to;
};

} // namespace

struct peer_port_front::loop {
  std::shared_ptr<const clock::source> clock;
  int64_t detection_timeout_us = 5'000'000;
  fd_closer epoll_fd{-1};
  std::mutex commands_mutex; // the only state other threads touch
  std::vector<command> commands;
  std::map<uint16_t, listener> listeners;
  std::unordered_map<uint64_t, std::unique_ptr<connection>> connections;
  uint64_t next_id = 0;

  // Edge-triggered: every socket is added once with all the events it can have; the pump
  // always goes on until the kernel would block (or a buffer is full, which the other
  // side's next EPOLLOUT undoes).
  bool add(int fd, uint64_t key, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = key;
    return ::epoll_ctl(epoll_fd.fd, EPOLL_CTL_ADD, fd, &ev) == 0;
  }

  int64_t now() const { return clock->monotonic_us(); }

  void close(connection& c, const std::string& why, bool info) {
    if (info)
      spdlog::info("peer connection from {} (port {}) closed: {}", c.remote, c.public_port, why);
    else
      spdlog::debug("peer connection from {} (port {}) closed: {}", c.remote, c.public_port, why);
    connections.erase(c.id); // closes both sockets (and takes them out of epoll)
  }

  void run_commands() {
    std::vector<command> todo;
    {
      std::lock_guard lock(commands_mutex);
      todo.swap(commands);
    }
    for (auto& cmd : todo) {
      if (cmd.what == command::kind::close) {
        if (listeners.erase(cmd.port) > 0)
          spdlog::debug("peer port {} no longer accepts (portUnification)", cmd.port);
        continue;
      }
      listener l{fd_closer(cmd.fd), cmd.to};
      cmd.fd = -1;
      if (!add(l.fd.fd, listener_bit | cmd.port, EPOLLIN | EPOLLET)) {
        spdlog::error("peer port {}: cannot watch it: {}", cmd.port, std::strerror(errno));
        continue;
      }
      const int fd = l.fd.fd;
      listeners.erase(cmd.port); // a port opened again: the newer socket
      listeners.emplace(cmd.port, std::move(l));
      accept_all(cmd.port, fd); // connections that came before it was watched
    }
  }

  void accept_all(uint16_t port, int listen_fd) {
    for (;;) {
      sockaddr_storage sa{};
      socklen_t len = sizeof sa;
      const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&sa), &len,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (!would_block()) {
          // Out of descriptors, say: what waits stays queued; with edge-triggered epoll
          // nothing would wake us for it again, so the tick tries again shortly.
          spdlog::warn("peer port {}: accept failed: {}; trying again shortly", port,
                       std::strerror(errno));
          listeners.at(port).paused_until_us = now() + int64_t{tick_ms} * 1000;
        }
        return;
      }
      no_delay(fd);
      auto c = std::make_unique<connection>(fd);
      c->id = ++next_id;
      c->remote = address_of(sa);
      c->public_port = port;
      c->to = listeners.at(port).to;
      c->deadline_us = now() + detection_timeout_us;
      if (!add(fd, peer_key(c->id), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)) {
        spdlog::error("peer port {}: cannot watch a connection: {}", port, std::strerror(errno));
        continue;
      }
      auto& ref = *c;
      connections.emplace(c->id, std::move(c));
      greet(ref); // its first bytes may be here already
    }
  }

  // Reads what came and lets the first bytes decide where the connection goes.
  void greet(connection& c) {
    for (;;) {
      const auto r = c.up.read_from(c.peer.fd);
      if (r == byte_buffer::io::progress) continue;
      if (r == byte_buffer::io::failed) {
        close(c,
              std::string("before its first bytes said TLS or plaintext: ") + std::strerror(errno),
              false);
        return;
      }
      if (r == byte_buffer::io::end) c.peer_end = true;
      break;
    }
    decide(c);
  }

  void decide(connection& c) {
    using tls::greeting_step;
    switch (tls::next_greeting_step(c.up.view(), c.peer_end, now(), c.deadline_us)) {
    case greeting_step::wait: return;
    case greeting_step::close_closed:
      close(c, "it closed before its first bytes said TLS or plaintext", false);
      return;
    case greeting_step::close_silent:
      close(c,
            "its first bytes did not say TLS or plaintext within " +
                std::to_string(detection_timeout_us / 1000) +
                " ms (ssl.quorum.handshakeDetectionTimeoutMillis)",
            true);
      return;
    case greeting_step::forward_tls: c.tls = true; break;
    case greeting_step::forward_plaintext: c.tls = false; break;
    }
    connect_inside(c);
  }

  void connect_inside(connection& c) {
    const uint16_t port = c.tls ? c.to.tls_port : c.to.plaintext_port;
    spdlog::info("peer connection from {} on port {}: {}", c.remote, c.public_port, c.kind());
    c.local.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.local.fd < 0) {
      close(c, std::string("no socket for it: ") + std::strerror(errno), true);
      return;
    }
    no_delay(c.local.fd);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c.local.fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0 &&
        errno != EINPROGRESS) {
      close(c,
            "cannot reach the " + std::string(c.kind()) +
                " endpoint 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno),
            true);
      return;
    }
    if (!add(c.local.fd, local_key(c.id), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)) {
      close(c, std::string("cannot watch it: ") + std::strerror(errno), true);
      return;
    }
    c.at = phase::connecting; // the first EPOLLOUT on the local socket says how it went
  }

  void connected(connection& c) {
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(c.local.fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
    if (error != 0) {
      close(c, "cannot reach the " + std::string(c.kind()) + " endpoint: " + std::strerror(error),
            true);
      return;
    }
    c.at = phase::spliced;
    pump(c);
  }

  // One direction: reads `from` into `buf` and writes `buf` to `to` until neither moves.
  // Returns false when the connection had to be closed.
  bool move(connection& c, int from, int to, byte_buffer& buf, bool& from_end, bool& to_shut,
            const char* from_name, const char* to_name) {
    for (;;) {
      bool moved = false;
      if (!from_end) {
        const auto r = buf.read_from(from);
        if (r == byte_buffer::io::progress) moved = true;
        if (r == byte_buffer::io::end) from_end = true;
        if (r == byte_buffer::io::failed) {
          close(c, std::string("reading from ") + from_name + ": " + std::strerror(errno), false);
          return false;
        }
      }
      const auto w = buf.write_to(to);
      if (w == byte_buffer::io::progress) moved = true;
      if (w == byte_buffer::io::failed) {
        close(c, std::string("writing to ") + to_name + ": " + std::strerror(errno), false);
        return false;
      }
      if (!moved) break;
    }
    // Its sender is done and everything went through: the receiver learns it (a half
    // close, as a direct connection would give it).
    if (from_end && buf.empty() && !to_shut) {
      ::shutdown(to, SHUT_WR);
      to_shut = true;
    }
    return true;
  }

  void pump(connection& c) {
    const bool was_ending = c.peer_end || c.local_end;
    if (!move(c, c.peer.fd, c.local.fd, c.up, c.peer_end, c.local_shut, "the peer",
              "this server's endpoint"))
      return;
    if (!move(c, c.local.fd, c.peer.fd, c.down, c.local_end, c.peer_shut, "this server's endpoint",
              "the peer"))
      return;
    if (c.peer_shut && c.local_shut) {
      close(c, "both sides closed", false);
      return;
    }
    if (!was_ending && (c.peer_end || c.local_end))
      c.deadline_us = now() + closing_timeout_us; // the other side must follow by then
  }

  void on_event(uint64_t key, uint32_t events) {
    if (key & listener_bit) {
      const auto port = static_cast<uint16_t>(key & 0xffff);
      if (auto it = listeners.find(port); it != listeners.end()) accept_all(port, it->second.fd.fd);
      return;
    }
    auto it = connections.find(key >> 1);
    if (it == connections.end()) return; // closed earlier in this batch
    auto& c = *it->second;
    const bool local_side = (key & 1) == 1;
    switch (c.at) {
    case phase::greeting:
      if (!local_side) greet(c);
      return;
    case phase::connecting:
      // The peer's bytes meanwhile wait in its socket: the splice reads them once it starts.
      if (local_side && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) connected(c);
      return;
    case phase::spliced: pump(c); return;
    }
  }

  void expire() {
    const auto t = now();
    std::vector<uint64_t> late;
    for (auto& [id, c] : connections) {
      const bool timed = c->at != phase::spliced || c->peer_end || c->local_end;
      if (timed && t >= c->deadline_us) late.push_back(id);
    }
    for (auto id : late) {
      auto& c = *connections.at(id);
      switch (c.at) {
      case phase::greeting: decide(c); break; // closes it: silent until the deadline
      case phase::connecting:
        close(c, "the " + std::string(c.kind()) + " endpoint did not accept it in time", true);
        break;
      case phase::spliced: close(c, "one side closed, the other did not follow in time", false);
      }
    }
    for (auto& [port, l] : listeners)
      if (l.paused_until_us >= 0 && t >= l.paused_until_us) {
        l.paused_until_us = -1;
        accept_all(port, l.fd.fd);
      }
  }

  void run(int wake_fd) {
    epoll_event events[64];
    for (;;) {
      const int n = ::epoll_wait(epoll_fd.fd, events, 64, tick_ms);
      if (n < 0 && errno != EINTR) {
        spdlog::critical("peer ports (portUnification): epoll_wait failed: {}",
                         std::strerror(errno));
        return;
      }
      for (int i = 0; i < n; ++i) {
        if (events[i].data.u64 == wake_key) {
          uint64_t count = 0;
          [[maybe_unused]] auto r = ::read(wake_fd, &count, sizeof count);
          std::lock_guard lock(commands_mutex);
          if (stopping) return;
          continue;
        }
        on_event(events[i].data.u64, events[i].events);
      }
      run_commands();
      expire();
    }
  }

  bool stopping = false; // under commands_mutex
};

std::variant<std::unique_ptr<peer_port_front>, std::string>
peer_port_front::start(std::shared_ptr<const clock::source> clock, int32_t detection_timeout_ms) {
  auto lp = std::make_unique<loop>();
  lp->clock = std::move(clock);
  lp->detection_timeout_us = int64_t{detection_timeout_ms} * 1000;
  lp->epoll_fd.fd = ::epoll_create1(EPOLL_CLOEXEC);
  auto self = std::unique_ptr<peer_port_front>(new peer_port_front());
  self->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (lp->epoll_fd.fd < 0 || self->wake_fd_ < 0)
    return std::string("cannot set up epoll: ") + std::strerror(errno);
  if (!lp->add(self->wake_fd_, wake_key, EPOLLIN))
    return std::string("cannot set up epoll: ") + std::strerror(errno);
  self->loop_ = std::move(lp);
  self->thread_ = std::thread([l = self->loop_.get(), fd = self->wake_fd_] { l->run(fd); });
  return self;
}

std::string peer_port_front::open(const std::string& host, uint16_t port, route to) {
  // "0.0.0.0" (quorumListenOnAllIPs) stays IPv4, as CAF binds it without portUnification.
  auto bound = bind_listener(host, port);
  if (auto* error = std::get_if<std::string>(&bound)) return *error;
  auto& fd = std::get<fd_closer>(bound);
  {
    std::lock_guard lock(loop_->commands_mutex);
    loop_->commands.push_back(command{command::kind::open, port, fd.fd, to});
  }
  fd.fd = -1; // the command owns it now
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  return {};
}

void peer_port_front::close(uint16_t port) {
  {
    std::lock_guard lock(loop_->commands_mutex);
    loop_->commands.push_back(command{command::kind::close, port, -1, {}});
  }
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

peer_port_front::~peer_port_front() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(loop_->commands_mutex);
      loop_->stopping = true;
    }
    const uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  if (loop_)
    for (auto& cmd : loop_->commands) // opened but never taken by the thread
      if (cmd.fd >= 0) ::close(cmd.fd);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

} // namespace paddock::actors
