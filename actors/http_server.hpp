#pragma once
// A small HTTP server on civetweb (Debian's libcivetweb, API 1.15) for the AdminServer: one
// handler for every GET under a path prefix. RAII: the server listens from a successful
// start() until it is destroyed. The handler runs on civetweb's own threads, several at once:
// it must be thread-safe and must not touch actor state (the AdminServer asks the actors).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

struct mg_context;
struct mg_connection;

namespace paddock::actors {

struct http_request {
  std::string method;
  std::string path;  // the decoded path, without the query string
  std::string query; // what follows '?', undecoded ("" when none)
};

struct http_response {
  // Writes one piece of a streamed body; false once the client is gone.
  using body_writer = std::function<bool(std::string_view)>;

  int status = 200;
  std::string content_type; // "" for none
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers; // beyond the type and the length
  // A body too large to hold in memory (a backup): when set, `stream_length` bytes are
  // written by calling this on the HTTP thread, and `body` is not sent.
  std::function<void(const body_writer&)> stream;
  uint64_t stream_length = 0;

  static http_response of(int status, std::string content_type, std::string body) {
    http_response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
  }
};

struct http_options {
  std::string address; // "0.0.0.0", "127.0.0.1", "::1", ...
  int port = 0;
  std::string prefix; // requests under this path reach the handler; others are 404
  int idle_timeout_ms = 30000;
  int threads = 2;
};

class http_server {
public:
  using handler = std::function<http_response(const http_request&)>;

  // Listens as `options` say; the error text (civetweb's, naming the address) if it cannot.
  static std::variant<std::unique_ptr<http_server>, std::string> start(const http_options& options,
                                                                       handler on_request);
  ~http_server(); // stops listening and waits for the handlers in progress
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  int port() const { return port_; } // the port bound (options.port, or the one picked for 0)

private:
  http_server() = default;
  static int on_request(::mg_connection* conn, void* self);
  handler handler_;
  std::string prefix_;
  mg_context* context_ = nullptr;
  int port_ = 0;
};

} // namespace paddock::actors
