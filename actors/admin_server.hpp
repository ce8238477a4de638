#pragma once
// ZooKeeper's AdminServer: GET <admin.commandURL> lists the commands, GET
// <admin.commandURL>/<name> runs one and answers its JSON (protocol/admin/admin_commands.hpp).
// GET <admin.commandURL>/snapshot (or /snap) is a backup, as ZooKeeper 3.9's command of that
// name: the store writes a snapshot, and its file is streamed as the body. HTTP is civetweb's
// (http_server.hpp), on its own threads; each request asks the listener for the sessions and the
// admin actor for the answer, through a scoped actor with a timeout, so no actor state is touched
// from those threads.
#include "actors/http_server.hpp"
#include "actors/messages/admin.hpp"
#include "actors/messages/client.hpp"
#include "actors/messages/store.hpp"
#include "config/zoo_config.hpp"
#include "protocol/clock/source.hpp"

#include <caf/actor_system.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

namespace paddock::actors {

// The answer to one request, given the path (the command URL's part already checked by the
// HTTP server): the listing, a command's JSON, or 404/405.
class admin_server {
public:
  // Listens on admin.serverAddress:admin.serverPort; the error (naming both) if it cannot.
  static std::variant<std::unique_ptr<admin_server>, std::string>
  start(caf::actor_system& sys, const config::server_config& cfg, admin_handle admin,
        caf::actor listener, store_handle store, std::shared_ptr<const clock::source> clock);

  int port() const { return http_->port(); }

private:
  admin_server() = default;
  http_response handle(const http_request& req) const;
  // GET <commandURL>/snapshot: a backup (docs/operator-guide.md, "Backups").
  http_response snapshot() const;
  caf::actor_system* sys_ = nullptr;
  std::string command_url_;
  admin_handle admin_;
  // The client listener, dynamically typed as the broker it is: the AdminServer's (stats_atom)
  // -> std::vector<session_handle> is not part of listener_handle, which the sessions use.
  caf::actor listener_;
  store_handle store_;
  std::shared_ptr<const clock::source> clock_; // the server's one clock (rate of backups)
  bool snapshot_enabled_ = false;
  int64_t snapshot_interval_ms_ = 0;
  // The last backup's start (monotonic ms; civetweb runs handlers on several threads).
  mutable std::mutex snapshot_mutex_;
  mutable int64_t last_snapshot_ms_ = -1;
  std::unique_ptr<http_server> http_; // last: stopped first, before the handles go
};

} // namespace paddock::actors
