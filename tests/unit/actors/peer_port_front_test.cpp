// portUnification's front thread over real loopback sockets: the first bytes choose the
// endpoint, bytes pass untouched both ways (a large transfer too, with the half close), a
// silent connection is closed at the deadline of the test's clock, a closed port refuses.
#include "actors/peer_port_front.hpp"
#include "protocol/clock/manual.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using paddock::actors::peer_port_front;

namespace {

struct socket_fd {
  int fd = -1;
  explicit socket_fd(int f = -1) : fd(f) {}
  socket_fd(socket_fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  socket_fd(const socket_fd&) = delete;
  ~socket_fd() {
    if (fd >= 0) ::close(fd);
  }
};

uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

socket_fd listen_local() {
  socket_fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(s.fd, 16) == 0);
  return s;
}

uint16_t free_port() {
  auto s = listen_local();
  return port_of(s.fd);
}

// -1 when nothing came within `ms`.
int accept_within(int listen_fd, int ms) {
  pollfd p{listen_fd, POLLIN, 0};
  if (::poll(&p, 1, ms) != 1) return -1;
  return ::accept(listen_fd, nullptr, nullptr);
}

int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    REQUIRE(n > 0);
    done += static_cast<size_t>(n);
  }
}

// Reads until `n` bytes or the end (or 5 s of silence).
std::string read_up_to(int fd, size_t n) {
  std::string out;
  char buf[65536];
  while (out.size() < n) {
    const ssize_t got = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

// True when the peer closed `fd` (or reset it) within `ms`.
bool closed_within(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) != 1) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

struct fixture {
  std::shared_ptr<paddock::clock::manual> clock = std::make_shared<paddock::clock::manual>();
  socket_fd plaintext = listen_local();
  socket_fd tls = listen_local();
  std::unique_ptr<peer_port_front> front;
  uint16_t port = free_port();

  explicit fixture(int32_t detection_ms = 1000) {
    auto started = peer_port_front::start(clock, detection_ms);
    REQUIRE(std::holds_alternative<std::unique_ptr<peer_port_front>>(started));
    front = std::move(std::get<std::unique_ptr<peer_port_front>>(started));
    REQUIRE(front->open("127.0.0.1", port, {port_of(plaintext.fd), port_of(tls.fd)}).empty());
  }
};

const std::string client_hello_start("\x16\x03\x01\x02\x00hello", 10);
const std::string basp_start("\x01\x00\x00\x00 basp", 9);

} // namespace

TEST_CASE("plaintext first bytes reach the plaintext endpoint, bytes pass both ways",
          "[actors][peer_port_front]") {
  fixture f;
  socket_fd client(connect_to(f.port));
  REQUIRE(client.fd >= 0);
  send_all(client.fd, basp_start);
  socket_fd inside(accept_within(f.plaintext.fd, 5000));
  REQUIRE(inside.fd >= 0);
  CHECK(read_up_to(inside.fd, basp_start.size()) == basp_start);
  send_all(inside.fd, "server handshake");
  CHECK(read_up_to(client.fd, 16) == "server handshake");
  CHECK(accept_within(f.tls.fd, 0) < 0); // the other endpoint saw nothing
}

TEST_CASE("a ClientHello reaches the TLS endpoint untouched", "[actors][peer_port_front]") {
  fixture f;
  socket_fd client(connect_to(f.port));
  REQUIRE(client.fd >= 0);
  // In two pieces: the first three bytes do not decide yet.
  send_all(client.fd, client_hello_start.substr(0, 3));
  CHECK(accept_within(f.tls.fd, 300) < 0);
  send_all(client.fd, client_hello_start.substr(3));
  socket_fd inside(accept_within(f.tls.fd, 5000));
  REQUIRE(inside.fd >= 0);
  CHECK(read_up_to(inside.fd, client_hello_start.size()) == client_hello_start);
  CHECK(accept_within(f.plaintext.fd, 0) < 0);
}

TEST_CASE("a large transfer passes whole, and a half close passes on",
          "[actors][peer_port_front]") {
  fixture f;
  socket_fd client(connect_to(f.port));
  REQUIRE(client.fd >= 0);
  // 8 MiB: far more than the front's buffers and the sockets' together, so the sender is
  // held back while the receiver is slow to start.
  std::string big(8 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>('\x01' + (i * 7) % 251);
  std::thread sender([&] {
    send_all(client.fd, big);
    ::shutdown(client.fd, SHUT_WR);
  });
  socket_fd inside(accept_within(f.plaintext.fd, 5000));
  REQUIRE(inside.fd >= 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto got = read_up_to(inside.fd, big.size() + 1); // +1: then the end of stream
  sender.join();
  CHECK(got.size() == big.size());
  CHECK(got == big);
  // The other way, then the endpoint closes: the client gets the bytes, then the end.
  send_all(inside.fd, "bye");
  ::close(inside.fd);
  inside.fd = -1;
  CHECK(read_up_to(client.fd, 4) == "bye");
}

TEST_CASE("a silent connection is closed at the deadline, not before",
          "[actors][peer_port_front]") {
  fixture f(1000);
  socket_fd client(connect_to(f.port));
  REQUIRE(client.fd >= 0);
  CHECK_FALSE(closed_within(client.fd, 600)); // the test's clock has not moved
  f.clock->advance_ms(999);
  CHECK_FALSE(closed_within(client.fd, 600));
  f.clock->advance_ms(1);
  CHECK(closed_within(client.fd, 3000));
  CHECK(accept_within(f.plaintext.fd, 0) < 0);
  CHECK(accept_within(f.tls.fd, 0) < 0);
}

TEST_CASE("a connection closed before its first bytes reaches no endpoint",
          "[actors][peer_port_front]") {
  fixture f;
  {
    socket_fd client(connect_to(f.port));
    REQUIRE(client.fd >= 0);
    send_all(client.fd, client_hello_start.substr(0, 2));
  }
  CHECK(accept_within(f.tls.fd, 500) < 0);
  CHECK(accept_within(f.plaintext.fd, 0) < 0);
}

TEST_CASE("an endpoint that is not there closes the peer's connection",
          "[actors][peer_port_front]") {
  fixture f;
  ::close(f.plaintext.fd); // nothing listens there any more
  f.plaintext.fd = -1;
  socket_fd client(connect_to(f.port));
  REQUIRE(client.fd >= 0);
  send_all(client.fd, basp_start);
  CHECK(closed_within(client.fd, 3000));
}

TEST_CASE("a closed port accepts no more, a second port works meanwhile",
          "[actors][peer_port_front]") {
  fixture f;
  const uint16_t second = free_port();
  REQUIRE(f.front->open("127.0.0.1", second, {port_of(f.plaintext.fd), port_of(f.tls.fd)}).empty());
  // The same port again cannot be bound while open.
  CHECK_FALSE(f.front->open("127.0.0.1", second, {1, 2}).empty());
  f.front->close(f.port);
  bool refused = false;
  for (int i = 0; i < 50 && !refused; ++i) {
    const int fd = connect_to(f.port);
    refused = fd < 0;
    if (fd >= 0) ::close(fd);
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(refused);
  socket_fd client(connect_to(second));
  REQUIRE(client.fd >= 0);
  send_all(client.fd, basp_start);
  socket_fd inside(accept_within(f.plaintext.fd, 5000));
  REQUIRE(inside.fd >= 0);
  CHECK(read_up_to(inside.fd, basp_start.size()) == basp_start);
}
