#pragma once
// `paddock import-zookeeper` and `paddock export-zookeeper`: the command lines around
// store/zookeeper/zk_migration (docs/operator-guide.md, "Moving from ZooKeeper").
#include <optional>

namespace paddock::actors {

// The exit status when argv[1] names a migration subcommand (0 done, 2 refused or a bad
// command line, 1 an I/O failure); nothing when it names none.
std::optional<int> run_migration_command(int argc, char** argv);

} // namespace paddock::actors
