#include "actors/http_server.hpp"

#include <civetweb.h>
#include <mutex>

namespace paddock::actors {

namespace {

// civetweb's library state is process-wide: initialise it once.
void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { mg_init_library(0); });
}

std::string listening_port(const http_options& o) {
  const bool v6 = o.address.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + o.address + "]" : o.address;
  // civetweb writes "[::]:8080" as "+8080"-style only with IPv6 on; a literal address works.
  return host + ":" + std::to_string(o.port);
}

} // namespace

std::variant<std::unique_ptr<http_server>, std::string>
http_server::start(const http_options& options, handler on_request_fn) {
  init_library_once();
  std::unique_ptr<http_server> server(new http_server());
  server->handler_ = std::move(on_request_fn);
  server->prefix_ = options.prefix;
  const std::string ports = listening_port(options);
  const std::string timeout = std::to_string(options.idle_timeout_ms);
  const std::string threads = std::to_string(options.threads);
  const char* config[] = {"listening_ports",
                          ports.c_str(),
                          "num_threads",
                          threads.c_str(),
                          "request_timeout_ms",
                          timeout.c_str(),
                          "keep_alive_timeout_ms",
                          timeout.c_str(),
                          "enable_keep_alive",
                          "yes",
                          nullptr};
  mg_callbacks callbacks{};
  // civetweb logs nothing itself; its error comes back through mg_error_data.
  callbacks.log_message = [](const ::mg_connection*, const char*) { return 1; };
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = server.get();
  init.configuration_options = config;
  char error_text[256] = {};
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof error_text;
  server->context_ = mg_start2(&init, &error);
  if (!server->context_)
    return std::string(error_text[0] ? error_text : "civetweb could not start") + " (" + ports +
           ")";
  mg_set_request_handler(server->context_, "/", &http_server::on_request, server.get());
  mg_server_port bound{};
  if (mg_get_server_ports(server->context_, 1, &bound) == 1) server->port_ = bound.port;
  return server;
}

http_server::~http_server() {
  if (context_) mg_stop(context_);
}

int http_server::on_request(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<http_server*>(self_ptr);
  const mg_request_info* info = mg_get_request_info(conn);
  http_request req;
  req.method = info->request_method ? info->request_method : "";
  req.path = info->local_uri ? info->local_uri : "";
  req.query = info->query_string ? info->query_string : "";
  http_response res;
  const bool under_prefix =
      req.path == self->prefix_ || req.path.rfind(self->prefix_ + "/", 0) == 0;
  if (!under_prefix) {
    res.status = 404;
    res.content_type = "text/plain";
    res.body = "Not Found\n";
  } else {
    res = self->handler_(req);
  }
  mg_response_header_start(conn, res.status);
  if (!res.content_type.empty())
    mg_response_header_add(conn, "Content-Type", res.content_type.c_str(), -1);
  for (const auto& [name, value] : res.headers)
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  const std::string length = std::to_string(res.stream ? res.stream_length : res.body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_send(conn);
  if (res.stream)
    res.stream([conn](std::string_view piece) {
      return mg_write(conn, piece.data(), piece.size()) == static_cast<int>(piece.size());
    });
  else
    mg_write(conn, res.body.data(), res.body.size());
  return res.status; // non-zero: handled
}

} // namespace paddock::actors
