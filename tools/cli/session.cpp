#include "tools/cli/session.hpp"

#include "protocol/jute/error_code.hpp"

#include <iostream>
#include <string>

namespace paddock::cli {

namespace {

// The session timeout we ask for: short, since every command is one round trip.
constexpr int32_t session_timeout_ms = 10000;

std::string zk_error(int32_t err) {
  return std::string(jute::error_name(static_cast<jute::error_code>(err))) + " (" +
         std::to_string(err) + ")";
}

} // namespace

void report(std::string_view what, std::string_view path, std::string_view message) {
  std::cerr << "paddock-cli: " << what << (path.empty() ? "" : " ") << path << ": " << message
            << '\n';
}

std::optional<tools::reply> run_one(const context& ctx, std::string_view what,
                                    std::string_view path, int32_t opcode,
                                    const jute::request_body& body, int& status, bool* unanswered) {
  tools::sync_client client;
  if (!client.connect(ctx.server, session_timeout_ms, ctx.timeout)) {
    report(what, path, client.error());
    status = exit_connection;
    return std::nullopt;
  }
  for (const auto& auth : ctx.auth) {
    auto r = client.add_auth(auth.scheme, auth.credentials);
    if (!r) {
      report(what, path, "addAuth " + auth.scheme + ": " + client.error());
      status = exit_connection;
      return std::nullopt;
    }
    // The server closes the connection after AuthFailed: nothing more to send.
    if (r->header.err != 0) {
      report(what, path, "addAuth " + auth.scheme + ": " + zk_error(r->header.err));
      status = exit_zk_error;
      return std::nullopt;
    }
  }
  auto r = client.call(opcode, body);
  if (!r) {
    report(what, path, client.error());
    status = exit_connection;
    if (unanswered) *unanswered = true;
    return std::nullopt;
  }
  client.close_session();
  if (r->header.err != 0) {
    report(what, path, zk_error(r->header.err));
    status = exit_zk_error;
    return std::nullopt;
  }
  status = exit_ok;
  return r;
}

int malformed(std::string_view what, std::string_view path) {
  report(what, path, "malformed reply from the server");
  return exit_connection;
}

} // namespace paddock::cli
