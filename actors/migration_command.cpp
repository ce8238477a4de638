#include "actors/migration_command.hpp"

#include "store/zookeeper/zk_migration.hpp"

#include <iostream>
#include <string>
#include <string_view>

namespace paddock::actors {

namespace {

constexpr std::string_view import_usage =
    R"(Usage: paddock import-zookeeper --from DIR --to DATADIR [--from-log DIR]

Reads a ZooKeeper data directory (DIR: its dataDir or the version-2 folder in it;
--from-log: its dataLogDir when that differs) as ZooKeeper's start-up would -- the
newest valid snapshot and the transaction logs after it -- and writes a Paddock
dataDir DATADIR (absent or empty) with the same tree, ACLs, Stats, sessions and zxid.
Exit status 2 when the input is damaged or DATADIR is not empty; nothing is written then.
)";

constexpr std::string_view export_usage =
    R"(Usage: paddock export-zookeeper --from DATADIR --to DIR [--from-log DIR]

Writes the tree of a Paddock dataDir (--from-log: its dataLogDir when that differs) as a
ZooKeeper 3.8 dataDir DIR (absent or empty): version-2/snapshot.<zxid> and the epoch files.
)";

} // namespace

std::optional<int> run_migration_command(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  std::string_view command = argv[1];
  const bool is_import = command == "import-zookeeper";
  if (!is_import && command != "export-zookeeper") return std::nullopt;
  const auto usage = is_import ? import_usage : export_usage;
  std::string from, from_log, to;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << usage;
      return 0;
    }
    std::string* target = arg == "--from"       ? &from
                          : arg == "--to"       ? &to
                          : arg == "--from-log" ? &from_log
                                                : nullptr;
    if (!target || i + 1 >= argc) {
      std::cerr << "paddock " << command << ": bad argument '" << arg << "'\n" << usage;
      return 2;
    }
    *target = argv[++i];
  }
  if (from.empty() || to.empty()) {
    std::cerr << "paddock " << command << ": --from and --to are required\n" << usage;
    return 2;
  }
  auto result = is_import ? store::zookeeper::import_zookeeper(from, from_log, to)
                          : store::zookeeper::export_zookeeper(from, from_log, to);
  for (const auto& note : result.notes)
    std::cerr << "paddock " << command << ": " << note << "\n";
  (result.exit_code == 0 ? std::cout : std::cerr)
      << "paddock " << command << ": " << result.message << "\n";
  return result.exit_code;
}

} // namespace paddock::actors
