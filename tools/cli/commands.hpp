#pragma once
// paddock-cli's commands. Each opens its own session (or raw connection for 4lw), does one
// thing, prints the result on stdout and returns the process exit status:
// 0 success, 1 the server answered with a ZooKeeper error, 2 a usage error, 3 connection or
// protocol failure.
#include "tools/cli/reconfig_spec.hpp"
#include "tools/common/net.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace paddock::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_zk_error = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_connection = 3;

// One --auth scheme:credentials (digest:user:password), sent as addAuth before the command.
struct auth_credential {
  std::string scheme;
  std::string credentials;
};

struct context {
  tools::endpoint server;
  std::chrono::milliseconds timeout{10000};
  std::vector<auth_credential> auth;
};

int cmd_ls(const context& ctx, const std::string& path);
int cmd_get(const context& ctx, const std::string& path);
int cmd_stat(const context& ctx, const std::string& path);
int cmd_create(const context& ctx, const std::string& path, const std::string& data, bool ephemeral,
               bool sequential);
int cmd_set(const context& ctx, const std::string& path, const std::string& data, int32_t version);
int cmd_delete(const context& ctx, const std::string& path, int32_t version);
int cmd_four_letter(const context& ctx, const std::string& word);

// The ensemble's membership (ensemble_commands.cpp). reconfig prints the configuration the
// server committed; config prints /zookeeper/config. With `with_stat`, the Stat follows.
int cmd_reconfig(const context& ctx, const reconfig_options& options, bool with_stat);
int cmd_config(const context& ctx, bool with_stat);

} // namespace paddock::cli
