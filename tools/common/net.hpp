#pragma once
// Small POSIX socket helpers shared by paddock-cli and paddock-bench: parsing "host:port",
// connecting over TCP, and whole-buffer blocking send/receive with a deadline.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace paddock::tools {

struct endpoint {
  std::string host;
  uint16_t port = 0;
};

// "host:port", "[v6addr]:port" or "host" (port 2181, ZooKeeper's default).
std::optional<endpoint> parse_endpoint(std::string_view text);

// Connects a blocking TCP socket with TCP_NODELAY set. Returns the fd, or -1 with `error`
// describing why (resolution failure, connection refused, timeout).
int connect_tcp(const endpoint& ep, std::chrono::milliseconds timeout, std::string& error);

// Sends all of `bytes` on a blocking socket. False on error (errno is kept).
bool send_all(int fd, std::string_view bytes);

// Waits until `fd` is readable or the deadline passes. False on timeout or poll error.
bool wait_readable(int fd, std::chrono::steady_clock::time_point deadline);

// Switches a socket to non-blocking mode.
bool set_nonblocking(int fd);

} // namespace paddock::tools
