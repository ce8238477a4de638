#include "tools/cli/backup_command.hpp"

#include "store/disk/file_system.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/snapshot.hpp"
#include "tools/cli/command.hpp"

#include <charconv>
#include <civetweb.h>
#include <fmt/format.h>
#include <iostream>
#include <memory>

namespace paddock::cli {

namespace {

constexpr const char* usage =
    "usage: paddock-cli backup [--server HOST:PORT] [--url COMMAND_URL] FILE\n"
    "  --server  the server's AdminServer (admin.serverAddress:admin.serverPort),\n"
    "            default 127.0.0.1:8080; the server needs admin.snapshot.enabled=true\n"
    "  --url     its admin.commandURL (default /commands)\n";

struct connection_closer {
  void operator()(mg_connection* c) const { mg_close_connection(c); }
};
using connection_ptr = std::unique_ptr<mg_connection, connection_closer>;

int fail(int status, const std::string& why) {
  std::cerr << "paddock-cli backup: " << why << "\n";
  return status;
}

// Streams the answer's body into `tmp` (never the whole snapshot in memory), then syncs it.
// `received` says how many bytes came.
store::io_status receive_to_file(mg_connection* conn, store::file_system& fs,
                                 const std::string& tmp, uint64_t& received) {
  std::unique_ptr<store::writable_file> out;
  if (auto st = fs.open_for_write(tmp, store::open_mode::create_or_truncate, out); !st.ok())
    return st;
  received = 0;
  char buf[64 * 1024];
  for (int n; (n = mg_read(conn, buf, sizeof buf)) > 0;) {
    const std::string_view piece(buf, static_cast<size_t>(n));
    if (auto st = store::write_fully(*out, static_cast<int64_t>(received), piece); !st.ok())
      return st;
    received += piece.size();
  }
  return out->sync();
}

// The first bytes of an error answer, for the message.
std::string error_body(mg_connection* conn) {
  std::string body;
  char buf[4096];
  for (int n; body.size() < 500 && (n = mg_read(conn, buf, sizeof buf)) > 0;)
    body.append(buf, static_cast<size_t>(n));
  return body.substr(0, 500);
}

} // namespace

int run_backup(const std::vector<std::string>& words, std::chrono::milliseconds timeout) {
  std::string server = "127.0.0.1:8080", url = "/commands", file;
  for (size_t i = 1; i < words.size(); ++i) {
    const auto& w = words[i];
    if ((w == "--server" || w == "-server" || w == "--url") && i + 1 < words.size()) {
      (w == "--url" ? url : server) = words[++i];
    } else if (w == "-h" || w == "--help") {
      std::cout << usage;
      return exit_ok;
    } else if (!w.starts_with("-") && file.empty()) {
      file = w;
    } else {
      std::cerr << "paddock-cli backup: bad argument '" << w << "'\n" << usage;
      return exit_usage;
    }
  }
  if (file.empty()) {
    std::cerr << "paddock-cli backup: FILE is required\n" << usage;
    return exit_usage;
  }
  const auto colon = server.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      std::from_chars(server.data() + colon + 1, server.data() + server.size(), port).ec !=
          std::errc{} ||
      port <= 0 || port > 65535)
    return fail(exit_usage, "bad --server '" + server + "' (want HOST:PORT)");
  const std::string host = server.substr(0, colon);

  char error[256] = {};
  connection_ptr conn(mg_connect_client(host.c_str(), port, 0, error, sizeof error));
  if (!conn) return fail(exit_connection, fmt::format("cannot connect to {}: {}", server, error));
  mg_printf(conn.get(), "GET %s/snapshot HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
            url.c_str(), server.c_str());
  // The server writes the snapshot before it answers: the whole timeout is for that.
  if (mg_get_response(conn.get(), error, sizeof error, static_cast<int>(timeout.count())) < 0)
    return fail(exit_connection, fmt::format("no answer from {}: {}", server, error));
  const auto* info = mg_get_response_info(conn.get());
  if (info->status_code != 200)
    return fail(exit_failed,
                fmt::format("{} answered {} {}: {}", server, info->status_code,
                            info->status_text ? info->status_text : "", error_body(conn.get())));
  // Written whole or not at all: into a temporary file beside FILE, checked there, then
  // renamed over FILE and the directory synced.
  store::posix_file_system fs;
  const std::string tmp = file + ".tmp";
  auto give_up = [&](const std::string& why) {
    fs.remove(tmp);
    return fail(exit_failed, why);
  };
  uint64_t received = 0;
  if (auto st = receive_to_file(conn.get(), fs, tmp, received); !st.ok())
    return give_up("cannot write " + tmp + ": " + st.message);
  if (info->content_length >= 0 && static_cast<uint64_t>(info->content_length) != received)
    return give_up(
        fmt::format("the connection ended after {} of {} bytes", received, info->content_length));
  // Checked before it is kept: every frame's checksum, the counts and the trailer.
  store::data_tree tree;
  if (auto st = store::load_snapshot(fs, tmp, tree); !st.ok())
    return give_up("the server sent a damaged snapshot: " + st.message);
  if (auto st = fs.rename(tmp, file); !st.ok()) return give_up(st.message);
  if (auto st = fs.sync_directory(store::parent_directory(file)); !st.ok())
    return fail(exit_failed, "the backup was renamed, but its directory not synced: " + st.message);
  std::cout << fmt::format("backup of zxid 0x{:x} ({} znodes, {} bytes, checked) written to {}\n",
                           tree.last_zxid(), tree.node_count(), received, file);
  return exit_ok;
}

} // namespace paddock::cli
