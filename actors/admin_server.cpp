#include "actors/admin_server.hpp"

#include "protocol/admin/admin_commands.hpp"

#include <caf/all.hpp>
#include <chrono>

namespace paddock::actors {

namespace {

// The admin actor bounds each of its own questions by 2 s; this covers all of them.
constexpr auto answer_timeout = std::chrono::seconds(10);

http_response json_response(std::string body) {
  return {200, "application/json", std::move(body)};
}

} // namespace

std::variant<std::unique_ptr<admin_server>, std::string>
admin_server::start(caf::actor_system& sys, const config::server_config& cfg, admin_handle admin,
                    caf::actor listener) {
  std::unique_ptr<admin_server> server(new admin_server());
  server->sys_ = &sys;
  server->command_url_ = cfg.admin_command_url;
  server->admin_ = std::move(admin);
  server->listener_ = std::move(listener);
  http_options options;
  options.address = cfg.admin_server_address;
  options.port = cfg.admin_server_port;
  options.prefix = cfg.admin_command_url;
  options.idle_timeout_ms = cfg.admin_idle_timeout_ms;
  auto* raw = server.get();
  auto http =
      http_server::start(options, [raw](const http_request& req) { return raw->handle(req); });
  if (auto* error = std::get_if<std::string>(&http))
    return "Problem starting AdminServer on address " + cfg.admin_server_address + ", port " +
           std::to_string(cfg.admin_server_port) + " and command URL " + cfg.admin_command_url +
           ": " + *error + " (admin.serverAddress, admin.serverPort)";
  server->http_ = std::move(std::get<std::unique_ptr<http_server>>(http));
  return server;
}

http_response admin_server::handle(const http_request& req) const {
  if (req.method != "GET") return {405, "text/plain", "Method Not Allowed\n"};
  if (req.path == command_url_ || req.path == command_url_ + "/")
    return {200, "text/html", admin::command_listing(command_url_)};
  std::string name = req.path.substr(command_url_.size() + 1);
  caf::scoped_actor self{*sys_};
  std::string body;
  std::string failure;
  self->request(listener_, answer_timeout, stats_atom::value)
      .receive(
          [&](std::vector<session_handle>& sessions) {
            self->request(admin_, answer_timeout, admin_command_atom::value, name,
                          std::move(sessions))
                .receive([&](std::string& json) { body = std::move(json); },
                         [&](caf::error& err) { failure = sys_->render(err); });
          },
          [&](caf::error& err) { failure = sys_->render(err); });
  if (failure.empty()) return json_response(std::move(body));
  admin::json error = admin::json::empty_object();
  error.add("command", name).add("error", "Paddock could not gather the answer: " + failure);
  return {500, "application/json", error.pretty()};
}

} // namespace paddock::actors
