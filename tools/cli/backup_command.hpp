#pragma once
// `paddock-cli backup [--server HOST:PORT] FILE`: a consistent snapshot of a live server,
// fetched from its AdminServer (GET <admin.commandURL>/snapshot; HOST:PORT is the
// AdminServer's address, 127.0.0.1:8080 by default), written to FILE durably and only once
// checked whole (the snapshot format's checksums and trailer). `paddock restore` reads it.
#include <chrono>
#include <string>
#include <vector>

namespace paddock::cli {

// `words` starts with "backup". Returns the exit status (command.hpp's exit_*).
int run_backup(const std::vector<std::string>& words, std::chrono::milliseconds timeout);

} // namespace paddock::cli
