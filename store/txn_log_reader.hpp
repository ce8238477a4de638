#pragma once
// Reads the txn log back at start: every record after a snapshot's zxid, in order, checked.
// - A torn or corrupt tail of the newest segment (a crash during a write) is logged and cut
//   off: those records were never reported durable.
// - Anything else wrong (a bad record with good records after it, a bad record in an older
//   segment, a gap in the zxids) is an error: the server must not serve a history with a
//   hole in it.
// Tail or middle? A bad record is a torn tail when no valid record follows it, or when one
// of its 512-byte sectors is all zeros (a write the crash tore: later pages of the same,
// never-synced batch may have reached the disk first) — the rule etcd's WAL uses.
#include "store/io_status.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::store {

struct log_segment_file {
  int64_t first_zxid = 0;
  std::string path;
};

// The whole of a file (a segment) in memory.
io_status read_whole_file(const std::string& path, std::string& out);

// The segments in `dir`, sorted by first zxid. A missing directory holds none.
std::vector<log_segment_file> list_log_segments(const std::string& dir);

struct log_replay_result {
  io_status status;      // not ok: the log cannot be trusted; the server must stop
  int64_t last_zxid = 0; // the last zxid in the log (or the snapshot's, if none after)
  size_t replayed = 0;   // records handed to apply
  std::string repaired;  // what was cut off as a torn tail ("" when nothing)
};

// Calls apply(zxid, body) for every record with zxid > after_zxid, in log order. apply
// returns false when it cannot decode the body (treated as corruption). With repair, a
// torn tail is truncated away on disk.
log_replay_result replay_log(const std::string& dir, int64_t after_zxid,
                             const std::function<bool(int64_t, std::string_view)>& apply,
                             bool repair = true);

} // namespace paddock::store
