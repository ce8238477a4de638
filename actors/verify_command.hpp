#pragma once
// `paddock verify DATADIR`: the command line around store/disk/data_dir_check
// (docs/operator-guide.md, "Checking a data directory").
#include <optional>

namespace paddock::actors {

// The exit status when argv[1] is `verify` (0 sound, 1 damaged, 2 a bad command line or a
// directory that cannot be read); nothing when it is not.
std::optional<int> run_verify_command(int argc, char** argv);

} // namespace paddock::actors
