#pragma once
// paddock-cli's commands. Each opens its own session (or raw connection for 4lw), does one
// thing, prints the result on stdout and returns the process exit status:
// 0 success, 1 the server answered with a ZooKeeper error, 3 connection or protocol failure.
#include "tools/common/net.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace paddock::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_zk_error = 1;
inline constexpr int exit_connection = 3;

struct context {
  tools::endpoint server;
  std::chrono::milliseconds timeout{10000};
};

int cmd_ls(const context& ctx, const std::string& path);
int cmd_get(const context& ctx, const std::string& path);
int cmd_stat(const context& ctx, const std::string& path);
int cmd_create(const context& ctx, const std::string& path, const std::string& data, bool ephemeral,
               bool sequential);
int cmd_set(const context& ctx, const std::string& path, const std::string& data, int32_t version);
int cmd_delete(const context& ctx, const std::string& path, int32_t version);
int cmd_four_letter(const context& ctx, const std::string& word);

} // namespace paddock::cli
