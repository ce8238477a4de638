#pragma once
// `paddock verify`: every snapshot and every txn log record of a data directory checked,
// read-only (unlike start-up, nothing is repaired), and the zxid a server started on it
// would reach. docs/operator-guide.md, "Checking a data directory".
#include "store/disk/file_system.hpp"
#include "store/disk/io_status.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace paddock::store {

struct snapshot_verdict {
  std::string path;
  int64_t zxid = 0;
  io_status status; // checksums, counts and trailer, as recovery loads it
  size_t znodes = 0;
  size_t sessions = 0;
};

struct data_dir_report {
  std::vector<snapshot_verdict> snapshots; // newest first
  size_t log_segments = 0;
  size_t log_records = 0;     // valid records read, over every segment
  int64_t log_first_zxid = 0; // 0: no record
  int64_t log_last_zxid = 0;
  io_status log_status;  // not ok: a record recovery would refuse (a hole, a bad CRC)
  std::string torn_tail; // what start-up would cut off ("" when nothing)
  // What a server started on this directory would do: the snapshot it loads (0: none) and
  // the zxid it reaches, or why it would refuse to start.
  int64_t start_snapshot_zxid = 0;
  int64_t last_good_zxid = 0;
  io_status start_status;

  // Anything damaged: a bad snapshot (even one recovery would skip), a bad log record.
  // A torn tail is not damage: it is what a crash leaves, and start-up cuts it.
  bool damaged() const;
};

data_dir_report verify_data_dir(file_system& fs, const std::string& snap_dir,
                                const std::string& log_dir);

} // namespace paddock::store
