#pragma once
// portUnification's front door: the election and quorum ports when they take TLS and
// plaintext peers alike. CAF's plaintext middleman and its OpenSSL module each accept on
// sockets of their own and cannot adopt a connection another acceptor has read from, so both
// publish this server's peer_links on internal ports of 127.0.0.1 (peer_port_unification
// does), and this thread accepts on the public port, waits for the first bytes
// (protocol/tls/peer_greeting), connects to the matching internal port and splices the two
// sockets, bytes both ways, untouched: a TLS peer's handshake, and so the mutual
// authentication, is done by CAF's OpenSSL module exactly as without portUnification.
// Both transports hand their connections to CAF's one BASP broker, so a peer reaches the
// same actors whichever way it came.
// One epoll thread, edge-triggered; a buffer per direction of each connection, and a side is
// no longer read while the other does not take its bytes (TCP back-pressure both ways).
// Nothing here stops the server: a failure closes the one connection concerned.
#include "protocol/clock/source.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <variant>

namespace paddock::actors {

class peer_port_front {
public:
  // Where a public port's connections go: the internal ports on 127.0.0.1.
  struct route {
    uint16_t plaintext_port = 0; // CAF's middleman
    uint16_t tls_port = 0;       // CAF's OpenSSL module
  };

  // Starts the thread (no port yet); or says why it could not.
  static std::variant<std::unique_ptr<peer_port_front>, std::string>
  start(std::shared_ptr<const clock::source> clock, int32_t detection_timeout_ms);
  ~peer_port_front(); // stops the thread; the connections it carries close
  peer_port_front(const peer_port_front&) = delete;
  peer_port_front& operator=(const peer_port_front&) = delete;

  // Binds host:port (SO_REUSEADDR; "0.0.0.0": every IPv4 address) and accepts there from now
  // on, sending each connection where `to` says. Returns "" or why it could not bind.
  // Any thread.
  std::string open(const std::string& host, uint16_t port, route to);

  // Stops accepting on `port` (connections already spliced stay). Any thread.
  void close(uint16_t port);

  struct loop; // the thread's state (peer_port_front.cpp)

private:
  peer_port_front() = default;

  int wake_fd_ = -1; // an eventfd: commands waiting, or stop
  std::unique_ptr<loop> loop_;
  std::thread thread_;
};

} // namespace paddock::actors
