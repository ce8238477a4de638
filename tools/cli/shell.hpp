#pragma once
// paddock-cli's interactive mode: zkCli's prompt ("[zk: host:port(CONNECTED) N] "), line
// editing, history and tab completion of command names and znode paths through libedit
// (BSD-licensed; its readline interface, in callback mode so that one thread both edits the
// line and prints the watch events the session's reader thread hands it, redrawing the
// prompt after them). Lines from a pipe or file are read without a prompt, as zkCli reads
// them without JLine; events are then printed as they come.
#include "tools/cli/command.hpp"

namespace paddock::cli {

// Runs lines until quit or end of input. Returns the last command's exit status (zkCli's
// exitCode).
int run_shell(cli_state& state);

std::string prompt(const cli_state& state);

} // namespace paddock::cli
