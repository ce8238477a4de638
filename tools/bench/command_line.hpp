#pragma once
// The command line both bench clients share: paddock-bench and paddock-bench-zkc take the
// same options with the same meaning and defaults, so the scripts drive either one. Only
// paddock-bench has --hold (the scale scenario's idle sessions, see hold.hpp).
#include "tools/bench/options.hpp"

#include <iosfwd>
#include <optional>
#include <string_view>

namespace paddock::bench {

enum class bench_client { paddock_bench, zkc };

struct parsed_command_line {
  options opt;
  // Set when the program should exit now with this status: --help / --version (0, printed
  // to `out`) or a usage error (2, explained on `err`).
  std::optional<int> exit_status;
};

inline constexpr int exit_usage = 2;

parsed_command_line parse_command_line(bench_client client, int argc, const char* const* argv,
                                       std::ostream& out, std::ostream& err);

} // namespace paddock::bench
