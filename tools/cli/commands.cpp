#include "tools/cli/commands.hpp"

#include "tools/cli/session.hpp"
#include "tools/cli/stat_printer.hpp"
#include "tools/common/reply_bodies.hpp"

#include <algorithm>
#include <iostream>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace paddock::cli {

int cmd_ls(const context& ctx, const std::string& path) {
  int status = 0;
  auto r = run_one(ctx, "ls", path, jute::opcode::get_children,
                   jute::path_watch_request{path, false}, status);
  if (!r) return status;
  auto children = tools::decode_children(r->body);
  if (!children) return malformed("ls", path);
  std::sort(children->begin(), children->end());
  for (const auto& child : *children)
    std::cout << child << '\n';
  return exit_ok;
}

int cmd_get(const context& ctx, const std::string& path) {
  int status = 0;
  auto r = run_one(ctx, "get", path, jute::opcode::get_data, jute::path_watch_request{path, false},
                   status);
  if (!r) return status;
  auto data = tools::decode_get_data(r->body);
  if (!data) return malformed("get", path);
  // As zkCli's get: null data prints as "null", empty data as an empty line.
  std::cout << (data->data_is_null ? std::string_view("null") : std::string_view(data->data))
            << '\n';
  return exit_ok;
}

int cmd_stat(const context& ctx, const std::string& path) {
  int status = 0;
  auto r = run_one(ctx, "stat", path, jute::opcode::exists, jute::path_watch_request{path, false},
                   status);
  if (!r) return status;
  auto s = tools::decode_stat_reply(r->body);
  if (!s) return malformed("stat", path);
  print_stat(std::cout, *s);
  return exit_ok;
}

int cmd_create(const context& ctx, const std::string& path, const std::string& data, bool ephemeral,
               bool sequential) {
  int32_t flags = (ephemeral ? jute::create_mode::ephemeral : 0) |
                  (sequential ? jute::create_mode::persistent_sequential : 0);
  jute::create_request req{path, data, jute::open_acl_unsafe(), flags, -1};
  int status = 0;
  auto r = run_one(ctx, "create", path, jute::opcode::create, req, status);
  if (!r) return status;
  auto created = tools::decode_create(r->body);
  if (!created) return malformed("create", path);
  // An ephemeral node lives only as long as this one-command session: say so.
  std::cout << "Created " << *created << (ephemeral ? " (ephemeral: gone when we exit)" : "")
            << '\n';
  return exit_ok;
}

int cmd_set(const context& ctx, const std::string& path, const std::string& data, int32_t version) {
  int status = 0;
  auto r = run_one(ctx, "set", path, jute::opcode::set_data,
                   jute::set_data_request{path, data, version}, status);
  if (!r) return status;
  if (!tools::decode_stat_reply(r->body)) return malformed("set", path);
  return exit_ok;
}

int cmd_delete(const context& ctx, const std::string& path, int32_t version) {
  int status = 0;
  auto r = run_one(ctx, "delete", path, jute::opcode::remove, jute::delete_request{path, version},
                   status);
  return r ? exit_ok : status;
}

int cmd_four_letter(const context& ctx, const std::string& word) {
  if (word.size() != 4) {
    std::cerr << "paddock-cli: 4lw: a four-letter word has four letters, got '" << word << "'\n";
    return exit_connection;
  }
  std::string error;
  int fd = tools::connect_tcp(ctx.server, ctx.timeout, error);
  if (fd < 0) {
    std::cerr << "paddock-cli: 4lw " << word << ": " << error << '\n';
    return exit_connection;
  }
  // The server answers and closes the connection: read until EOF.
  int status = exit_ok;
  if (!tools::send_all(fd, word)) {
    std::cerr << "paddock-cli: 4lw " << word << ": send failed\n";
    status = exit_connection;
  }
  auto deadline = std::chrono::steady_clock::now() + ctx.timeout;
  char buf[16384];
  size_t received = 0;
  while (status == exit_ok) {
    if (!tools::wait_readable(fd, deadline)) {
      std::cerr << "paddock-cli: 4lw " << word << ": timed out\n";
      status = exit_connection;
      break;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break; // EOF (or reset after the answer, which ZooKeeper does for unknown words)
    std::cout.write(buf, n);
    received += static_cast<size_t>(n);
  }
  ::close(fd);
  std::cout.flush();
  // ZooKeeper closes the connection without a word for a word it does not know.
  if (status == exit_ok && received == 0) {
    std::cerr << "paddock-cli: 4lw " << word
              << ": no answer (not a four-letter word the server knows)\n";
    status = exit_zk_error;
  }
  return status;
}

} // namespace paddock::cli
