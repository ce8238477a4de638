#pragma once
// How zkCli words a ZooKeeper error: its CliWrapperException message for the common codes
// ("Node does not exist: /x", "version No is not valid : /x", ...), else the Java client's
// KeeperException message ("KeeperErrorCode = NoAuth for /x"). Pure, so that every wording
// is unit-tested.
#include <cstdint>
#include <string>
#include <string_view>

namespace paddock::cli {

// KeeperException.getCodeMessage: "NoNode", "Directory not empty", "No such watcher", ...
std::string code_message(int32_t err);

// KeeperException.getMessage: "KeeperErrorCode = X" and " for PATH" when there is a path.
std::string keeper_exception_message(int32_t err, std::string_view path);

// What zkCli prints for a command that failed with `err` on `path`.
std::string keeper_message(int32_t err, std::string_view path);

// The code's name in KeeperException.Code spelling ("NONODE" is "NoNode"): for --json.
std::string code_name(int32_t err);

} // namespace paddock::cli
