#pragma once
// Start-up: the newest valid snapshot, then every txn log record after it. A corrupt newest
// snapshot falls back to the one before; a torn log tail is cut off; a hole in the history
// (a corrupt record with good ones after it, a zxid gap, no snapshot and a log that does not
// start at the beginning) is an error and the server does not start.
#include "store/disk/file_system.hpp"
#include "store/disk/io_status.hpp"
#include "store/tree/data_tree.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace paddock::store {

struct recovery_result {
  io_status status;
  data_tree tree;
  int64_t snapshot_zxid = 0; // the snapshot used (0: none)
  std::string snapshot_path;
  size_t replayed = 0;               // log records applied after it
  std::vector<std::string> warnings; // skipped snapshots, a cut tail
  // The newest replayed log records (zxid, Protobuf body), oldest first, at most keep_recent:
  // what a ZAB leader serves DIFFs from after a restart.
  std::deque<std::pair<int64_t, std::string>> recent;
  // The newest reconfig txn replayed (zxid, Protobuf body; refused ones do not count),
  // wherever it is in the log after the snapshot: one not yet committed must stay pending in
  // the ZAB core although `recent` may not reach it.
  std::optional<std::pair<int64_t, std::string>> last_reconfig;
};

recovery_result recover(file_system& fs, const std::string& snap_dir, const std::string& log_dir,
                        size_t keep_recent = 0);

// ZAB's TRUNC below what the tree holds: the tree as of exactly `zxid`, from disk, once the
// log after `zxid` is gone. Snapshots newer than `zxid` hold txns that were just dropped
// (applied after a restart, or from a SNAP of a leader never established) and are removed
// first. When what is left cannot give exactly `zxid` (the log before it was purged or
// replaced by a SNAP) the result is an error: the server stops rather than serve a state
// that never existed.
recovery_result recover_to(file_system& fs, const std::string& snap_dir, const std::string& log_dir,
                           int64_t zxid);

// Keeps the newest `retain` snapshots and the log segments needed to replay after the oldest
// of them; deletes older ones (ZooKeeper's PurgeTxnLog). Returns the paths deleted.
std::vector<std::string> purge_old_files(file_system& fs, const std::string& snap_dir,
                                         const std::string& log_dir, int retain);

} // namespace paddock::store
