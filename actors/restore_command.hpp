#pragma once
// `paddock restore FILE --to DATADIR`: the command line around store/disk/restore
// (docs/operator-guide.md, "Backups").
#include <optional>

namespace paddock::actors {

// The exit status when argv[1] is `restore` (0 restored, 2 refused or a bad command line,
// 1 an I/O failure); nothing when it is not.
std::optional<int> run_restore_command(int argc, char** argv);

} // namespace paddock::actors
