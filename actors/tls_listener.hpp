#pragma once
// The secure client port (secureClientPort). TLS is terminated here, on a thread of its own,
// and not in the client listener: CAF 0.17's brokers have no TLS, and keeping the record
// layer out of the broker keeps its single I/O thread (which also carries quorum traffic)
// free of handshakes and crypto. Each client's TLS connection is bridged, once its
// handshake is done, to a local socket pair whose other end goes to the client listener
// with the client's address and certificate subject; from there on it is served like any
// plaintext connection (framing, sessions, four-letter words, flow control). The thread
// moves bytes between the two sockets: decrypting one way, encrypting the other.
#include "protocol/clock/source.hpp"
#include "protocol/tls/server_context.hpp"

#include <caf/actor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace paddock::actors {

class tls_listener {
public:
  struct options {
    std::string address; // "" or 0.0.0.0: every address
    uint16_t port = 0;   // 0: any free port
    int32_t handshake_timeout_ms = 10000;
    // Certificate reload: when one of these files changes (looked at once a second), the
    // context is made again by `remake` and serves the handshakes from then on; connections
    // already up keep theirs. A context that cannot be made keeps the previous one in use.
    std::vector<std::string> watched_files;
    std::function<std::variant<tls::ssl_ctx_ptr, std::string>()> remake;
  };
  // Binds the port and starts the thread; or says why it could not.
  static std::variant<std::unique_ptr<tls_listener>, std::string>
  start(tls::ssl_ctx_ptr ctx, const options& opts, caf::actor client_listener,
        std::shared_ptr<const clock::source> clock);
  ~tls_listener(); // stops the thread; its connections close
  tls_listener(const tls_listener&) = delete;
  tls_listener& operator=(const tls_listener&) = delete;

  uint16_t port() const { return port_; }

  struct loop; // the thread's state (tls_listener.cpp)

private:
  tls_listener() = default;
  uint16_t port_ = 0;
  int wake_fd_ = -1; // an eventfd: written to stop the thread
  std::unique_ptr<loop> loop_;
  std::thread thread_;
};

} // namespace paddock::actors
