#include "actors/verify_command.hpp"

#include "config/zoo_config.hpp"
#include "store/disk/data_dir_check.hpp"
#include "store/disk/posix_file_system.hpp"

#include <fmt/format.h>
#include <iostream>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace paddock::actors {

namespace {

constexpr std::string_view usage = R"(Usage: paddock verify DATADIR [--log-dir DATALOGDIR]

Checks a Paddock data directory without changing it: every snapshot (checksums, counts,
trailer) and every txn log record (checksum, decoding, zxids without a gap), then replays
what a server started on it would load, and prints the last good zxid. DATALOGDIR is
zoo.cfg's dataLogDir when it differs from dataDir. Safe on a running server's directory
(records written meanwhile may show as a torn tail).
Exit status 0 when everything is sound (a torn tail, which start-up cuts off, is reported
but is not damage), 1 when something is damaged, 2 for a bad command line.
)";

std::string zxid_text(int64_t zxid) {
  return fmt::format("0x{:x}", zxid);
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void print(const store::data_dir_report& r, const std::string& log_dir) {
  if (r.snapshots.empty()) std::cout << "snapshots: none\n";
  for (const auto& s : r.snapshots) {
    if (s.status.ok())
      std::cout << fmt::format("snapshot {}: ok, zxid {}, {} znodes, {} sessions\n", s.path,
                               zxid_text(s.zxid), s.znodes, s.sessions);
    else
      std::cout << fmt::format("snapshot {}: DAMAGED: {}\n", s.path, s.status.message);
  }
  if (r.log_segments == 0)
    std::cout << fmt::format("txn log {}: no segments\n", log_dir);
  else if (r.log_records == 0)
    std::cout << fmt::format("txn log {}: {} segments, no records\n", log_dir, r.log_segments);
  else
    std::cout << fmt::format("txn log {}: {} segments, {} records checked, zxids {} to {}\n",
                             log_dir, r.log_segments, r.log_records, zxid_text(r.log_first_zxid),
                             zxid_text(r.log_last_zxid));
  if (!r.log_status.ok()) std::cout << "txn log: DAMAGED: " << r.log_status.message << "\n";
  if (!r.torn_tail.empty())
    std::cout << "txn log: torn tail (a crash's unfinished write; start-up cuts it off): "
              << r.torn_tail << "\n";
  if (r.start_status.ok())
    std::cout << fmt::format("last good zxid: {} (snapshot {} and the log after it)\n",
                             zxid_text(r.last_good_zxid), zxid_text(r.start_snapshot_zxid));
  else
    std::cout << "a server would refuse to start on it: " << r.start_status.message << "\n";
}

} // namespace

std::optional<int> run_verify_command(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "verify") return std::nullopt;
  std::string data_dir, log_dir;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << usage;
      return 0;
    }
    if (arg == "--log-dir" && i + 1 < argc) {
      log_dir = argv[++i];
    } else if (!arg.starts_with("-") && data_dir.empty()) {
      data_dir = arg;
    } else {
      std::cerr << "paddock verify: bad argument '" << arg << "'\n" << usage;
      return 2;
    }
  }
  if (data_dir.empty()) {
    std::cerr << "paddock verify: DATADIR is required\n" << usage;
    return 2;
  }
  if (log_dir.empty()) log_dir = data_dir;
  for (const auto& dir : {data_dir, log_dir})
    if (!is_directory(dir)) {
      std::cerr << "paddock verify: " << dir << " is not a directory\n";
      return 2;
    }
  config::server_config layout; // where a server with this dataDir and dataLogDir keeps files
  layout.data_dir = data_dir;
  layout.data_log_dir = log_dir;
  const std::string snap_dir = layout.snap_dir();
  const std::string txn_dir = layout.log_dir();
  store::posix_file_system disk;
  auto report = store::verify_data_dir(disk, snap_dir, txn_dir);
  print(report, txn_dir);
  const bool damaged = report.damaged();
  std::cout << (damaged ? "verdict: DAMAGED\n" : "verdict: sound\n");
  return damaged ? 1 : 0;
}

} // namespace paddock::actors
