#include "tools/cli/backup_command.hpp"

#include "store/disk/posix_file_system.hpp"
#include "store/disk/snapshot.hpp"
#include "tools/cli/command.hpp"

#include <charconv>
#include <civetweb.h>
#include <cstdio>
#include <fcntl.h>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <unistd.h>

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

// Writes `bytes` to `file` as a whole or not at all: a temporary file beside it, fsync'ed,
// renamed over it.
bool write_durably(const std::string& file, const std::string& bytes, std::string& error) {
  const std::string tmp = file + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = fmt::format("cannot create {}: {}", tmp, std::strerror(errno));
    return false;
  }
  size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool ok = done == bytes.size() && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
    error = fmt::format("cannot write {}: {}", file, std::strerror(ok ? errno : saved));
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
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
  std::string body;
  char buf[64 * 1024];
  for (int n; (n = mg_read(conn.get(), buf, sizeof buf)) > 0;)
    body.append(buf, static_cast<size_t>(n));
  if (info->status_code != 200)
    return fail(exit_failed,
                fmt::format("{} answered {} {}: {}", server, info->status_code,
                            info->status_text ? info->status_text : "", body.substr(0, 500)));
  if (info->content_length >= 0 && static_cast<uint64_t>(info->content_length) != body.size())
    return fail(exit_failed, fmt::format("the connection ended after {} of {} bytes", body.size(),
                                         info->content_length));
  // Checked whole before it is kept: every frame's checksum, the counts and the trailer.
  store::data_tree tree;
  if (auto st = store::parse_snapshot(body, "the backup", tree); !st.ok())
    return fail(exit_failed, "the server sent a damaged snapshot: " + st.message);
  std::string write_error;
  if (!write_durably(file, body, write_error)) return fail(exit_failed, write_error);
  std::cout << fmt::format("backup of zxid 0x{:x} ({} znodes, {} bytes, checked) written to {}\n",
                           tree.last_zxid(), tree.node_count(), body.size(), file);
  return exit_ok;
}

} // namespace paddock::cli
