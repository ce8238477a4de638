#include "actors/admin_server.hpp"

#include "protocol/admin/admin_commands.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <sys/stat.h>

namespace paddock::actors {

namespace {

// The admin actor bounds each of its own questions by 2 s; this covers all of them.
constexpr auto answer_timeout = std::chrono::seconds(10);
// A backup waits for a whole snapshot to be written (~1-2 s per million znodes).
constexpr auto snapshot_timeout = std::chrono::minutes(10);

http_response snapshot_error(int status, const std::string& why) {
  admin::json error = admin::json::empty_object();
  error.add("command", "snapshot").add("error", why);
  return http_response::of(status, "application/json", error.pretty());
}

// An open file, closed with its owner (the stream of a response may outlive the handler).
struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

http_response json_response(std::string body) {
  return http_response::of(200, "application/json", std::move(body));
}

} // namespace

std::variant<std::unique_ptr<admin_server>, std::string>
admin_server::start(caf::actor_system& sys, const config::server_config& cfg, admin_handle admin,
                    caf::actor listener, store_handle store,
                    std::shared_ptr<const clock::source> clock) {
  std::unique_ptr<admin_server> server(new admin_server());
  server->sys_ = &sys;
  server->command_url_ = cfg.admin_command_url;
  server->admin_ = std::move(admin);
  server->listener_ = std::move(listener);
  server->store_ = std::move(store);
  server->clock_ = std::move(clock);
  server->snapshot_enabled_ = cfg.admin_snapshot_enabled;
  server->snapshot_interval_ms_ = cfg.admin_snapshot_interval_ms;
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
  if (req.method != "GET") return http_response::of(405, "text/plain", "Method Not Allowed\n");
  if (req.path == command_url_ || req.path == command_url_ + "/")
    return http_response::of(200, "text/html", admin::command_listing(command_url_));
  std::string name = req.path.substr(command_url_.size() + 1);
  if (name == "snapshot" || name == "snap") return snapshot();
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
  return http_response::of(500, "application/json", error.pretty());
}

http_response admin_server::snapshot() const {
  if (!snapshot_enabled_)
    return snapshot_error(403, "the snapshot command is off (admin.snapshot.enabled=false)");
  {
    std::lock_guard lock(snapshot_mutex_);
    const int64_t now = clock_->monotonic_ms();
    if (last_snapshot_ms_ >= 0 && now - last_snapshot_ms_ < snapshot_interval_ms_)
      return snapshot_error(
          429,
          fmt::format("too many snapshots: the next one in {} ms (admin.snapshot.intervalInMS)",
                      snapshot_interval_ms_ - (now - last_snapshot_ms_)));
    last_snapshot_ms_ = now;
  }
  caf::scoped_actor self{*sys_};
  int64_t zxid = 0;
  std::string path, failure;
  self->request(store_, snapshot_timeout, backup_atom::value)
      .receive(
          [&](int64_t z, std::string& p) {
            zxid = z;
            path = std::move(p);
          },
          [&](caf::error& err) { failure = sys_->render(err); });
  if (!failure.empty()) return snapshot_error(500, "no snapshot: " + failure);
  // Opened at once: a purge that removes the file later leaves this stream whole.
  std::shared_ptr<std::FILE> file(std::fopen(path.c_str(), "rb"), file_closer{});
  struct stat st {};
  if (!file || ::fstat(::fileno(file.get()), &st) != 0)
    return snapshot_error(500, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  http_response r;
  r.content_type = "application/octet-stream";
  r.headers = {{"last_zxid", fmt::format("0x{:x}", zxid)},
               {"Content-Disposition", fmt::format("attachment; filename=\"snapshot.{:016x}\"",
                                                   static_cast<uint64_t>(zxid))}};
  r.stream_length = static_cast<uint64_t>(st.st_size);
  r.stream = [file, left = r.stream_length](const http_response::body_writer& write) mutable {
    std::vector<char> buf(256 * 1024);
    while (left > 0) {
      const size_t n = std::fread(buf.data(), 1, std::min<uint64_t>(buf.size(), left), file.get());
      if (n == 0 || !write(std::string_view(buf.data(), n))) return; // short: the client sees it
      left -= n;
    }
  };
  return r;
}

} // namespace paddock::actors
