#include "actors/restore_command.hpp"

#include "store/disk/restore.hpp"

#include <iostream>
#include <string>
#include <string_view>

namespace paddock::actors {

namespace {

constexpr std::string_view usage =
    R"(Usage: paddock restore FILE --to DATADIR [--log-dir DATALOGDIR]

Makes the backup FILE (from `paddock-cli backup`) the content of a stopped server's data
directory: the backup is checked whole first (every checksum, the counts, the trailer),
then written durably as DATADIR/paddock's only snapshot. DATADIR/paddock (and
DATALOGDIR/paddock, zoo.cfg's dataLogDir when it differs) must be absent or empty: move
the old data away first. Other files in DATADIR (myid) are left as they are.
Exit status 0 restored, 2 refused (a damaged backup, a target holding data), 1 I/O error.
)";

} // namespace

std::optional<int> run_restore_command(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "restore") return std::nullopt;
  std::string file, data_dir, log_dir;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << usage;
      return 0;
    }
    if ((arg == "--to" || arg == "--log-dir") && i + 1 < argc) {
      (arg == "--to" ? data_dir : log_dir) = argv[++i];
    } else if (!arg.starts_with("-") && file.empty()) {
      file = arg;
    } else {
      std::cerr << "paddock restore: bad argument '" << arg << "'\n" << usage;
      return 2;
    }
  }
  if (file.empty() || data_dir.empty()) {
    std::cerr << "paddock restore: FILE and --to DATADIR are required\n" << usage;
    return 2;
  }
  auto result = store::restore_backup(file, data_dir, log_dir.empty() ? data_dir : log_dir);
  (result.exit_code == 0 ? std::cout : std::cerr) << "paddock restore: " << result.message << "\n";
  return result.exit_code;
}

} // namespace paddock::actors
