#pragma once
// Small POSIX socket helpers shared by paddock-cli and paddock-bench: parsing "host:port",
// connecting over TCP, and whole-buffer blocking send/receive with a deadline.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::tools {

struct endpoint {
  std::string host;
  uint16_t port = 0;
};

// "host:port", "[v6addr]:port" or "host" (port 2181, ZooKeeper's default).
std::optional<endpoint> parse_endpoint(std::string_view text);

// A comma-separated list of endpoints, as ZooKeeper's connect strings: "h1:p1,h2:p2,h3".
// nullopt if any item is empty or bad.
std::optional<std::vector<endpoint>> parse_endpoint_list(std::string_view text);

// "host:port" (IPv6 hosts in brackets), the form parse_endpoint reads back.
std::string to_string(const endpoint& ep);

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
