#pragma once
// What `paddock-cli reconfig` sends, built from its options the way zkCli's ReconfigCommand
// builds it: incremental (--add / --remove) or bulk (--members or --file), never both; the
// expected configuration version in hex, as /zookeeper/config prints it. Pure functions, so
// that the rules are tested without a server.
#include "protocol/jute/records.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace paddock::cli {

struct reconfig_options {
  std::optional<std::string> add;     // server.N=host:quorum:election[:role];[host:]client,...
  std::optional<std::string> remove;  // N,M,...
  std::optional<std::string> members; // the whole new membership, as --add's list
  std::optional<std::string> file;    // the text of a file of server.N lines (already read)
  std::optional<std::string> version; // the expected current config version, hex
};

// The request, or why the options do not make one (zkCli's wording where it has one).
std::variant<jute::reconfig_request, std::string>
build_reconfig_request(const reconfig_options& options);

// The server.N lines of a zoo.cfg or dynamic config file, one per line; other lines
// (version=, comments, other keys) are left out. Empty if there is none.
std::string server_lines(std::string_view file_text);

// A configuration version as zkCli reads -v: hexadecimal, "0x" allowed, -1 meaning any.
std::optional<int64_t> parse_config_version(std::string_view text);

} // namespace paddock::cli
