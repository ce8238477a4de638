#include "tools/common/net.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace paddock::tools {

std::optional<endpoint> parse_endpoint(std::string_view text) {
  endpoint ep;
  std::string_view port_text;
  if (text.starts_with('[')) { // IPv6 literal: [::1]:2181
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    ep.host = std::string(text.substr(1, close - 1));
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return std::nullopt;
      port_text = rest.substr(1);
    }
  } else {
    auto colon = text.rfind(':');
    ep.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
  }
  if (ep.host.empty()) return std::nullopt;
  if (port_text.empty()) {
    ep.port = 2181;
    return ep;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 ||
      value > 65535)
    return std::nullopt;
  ep.port = static_cast<uint16_t>(value);
  return ep;
}

std::optional<std::vector<endpoint>> parse_endpoint_list(std::string_view text) {
  std::vector<endpoint> out;
  for (;;) {
    auto comma = text.find(',');
    auto ep = parse_endpoint(text.substr(0, comma));
    if (!ep) return std::nullopt;
    out.push_back(std::move(*ep));
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

std::string to_string(const endpoint& ep) {
  bool v6 = ep.host.find(':') != std::string::npos;
  return (v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port);
}

namespace {

struct addrinfo_deleter {
  void operator()(addrinfo* ai) const { freeaddrinfo(ai); }
};

// Finishes a non-blocking connect within the timeout.
bool await_connect(int fd, std::chrono::milliseconds timeout, std::string& error) {
  pollfd pfd{fd, POLLOUT, 0};
  int rc = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  if (rc == 0) {
    error = "connection timed out";
    return false;
  }
  if (rc < 0) {
    error = std::strerror(errno);
    return false;
  }
  int so_error = 0;
  socklen_t len = sizeof(so_error);
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error != 0) {
    error = std::strerror(so_error);
    return false;
  }
  return true;
}

} // namespace

int connect_tcp(const endpoint& ep, std::chrono::milliseconds timeout, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  auto port = std::to_string(ep.port);
  if (int rc = ::getaddrinfo(ep.host.c_str(), port.c_str(), &hints, &raw); rc != 0) {
    error = std::string("cannot resolve ") + ep.host + ": " + gai_strerror(rc);
    return -1;
  }
  std::unique_ptr<addrinfo, addrinfo_deleter> list(raw);
  error = "no address";
  for (auto* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    // Connect non-blocking so a black-holed address fails within the timeout.
    set_nonblocking(fd);
    bool ok = ::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    if (!ok && errno == EINPROGRESS)
      ok = await_connect(fd, timeout, error);
    else if (!ok)
      error = std::strerror(errno);
    if (ok) {
      int flags = ::fcntl(fd, F_GETFL, 0);
      ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      return fd;
    }
    ::close(fd);
  }
  error = "cannot connect to " + ep.host + ":" + port + ": " + error;
  return -1;
}

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool wait_readable(int fd, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return false;
    pollfd pfd{fd, POLLIN, 0};
    int rc = ::poll(&pfd, 1, static_cast<int>(left.count()) + 1);
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

} // namespace paddock::tools
