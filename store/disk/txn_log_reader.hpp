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
#include "store/disk/file_system.hpp"
#include "store/disk/io_status.hpp"

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

// The segments in `dir`, sorted by first zxid. A missing directory holds none; any other
// failure to list it is returned (a log that cannot be listed cannot be trusted to be empty).
io_status list_log_segments(file_system& fs, const std::string& dir,
                            std::vector<log_segment_file>& out);

struct log_replay_result {
  io_status status;      // not ok: the log cannot be trusted; the server must stop
  int64_t last_zxid = 0; // the last zxid in the log (or the snapshot's, if none after)
  size_t replayed = 0;   // records handed to apply
  std::string repaired;  // what was cut off as a torn tail ("" when nothing)
};

// Calls apply(zxid, body) for every record with zxid > after_zxid, in log order. apply
// returns false when it cannot decode the body (treated as corruption). With repair, a
// torn tail is truncated away on disk, durably (once later records exist in a newer segment,
// a torn tail coming back after a crash would be a corrupt middle), and the newest segment
// is fdatasync'ed: what recovery returns is served, so a power loss must not take it back.
log_replay_result replay_log(file_system& fs, const std::string& dir, int64_t after_zxid,
                             const std::function<bool(int64_t, std::string_view)>& apply,
                             bool repair = true);

} // namespace paddock::store
