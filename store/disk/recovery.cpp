#include "store/disk/recovery.hpp"

#include "store/disk/snapshot.hpp"
#include "store/disk/txn_codec.hpp"
#include "store/disk/txn_log_reader.hpp"

#include <fmt/format.h>

namespace paddock::store {

recovery_result recover(file_system& fs, const std::string& snap_dir, const std::string& log_dir,
                        size_t keep_recent) {
  recovery_result r;
  for (const auto& snap : list_snapshots(fs, snap_dir)) {
    data_tree loaded;
    auto st = load_snapshot(fs, snap.path, loaded);
    if (st.ok()) {
      r.tree = std::move(loaded);
      r.snapshot_zxid = snap.zxid;
      r.snapshot_path = snap.path;
      break;
    }
    r.warnings.push_back(fmt::format("skipping snapshot {}: {}", snap.path, st.message));
  }
  txn t;
  auto replay = replay_log(fs, log_dir, r.snapshot_zxid, [&](int64_t zxid, std::string_view body) {
    // A standalone server writes the zxid into the body too; an ensemble's bodies carry 0
    // (the leader's core assigns zxids after encoding) and the record's zxid is the truth.
    if (!decode_txn(body, t) || (t.zxid != 0 && t.zxid != zxid)) return false;
    t.zxid = zxid;
    r.tree.apply(t);
    if (keep_recent > 0) {
      if (r.recent.size() == keep_recent) r.recent.pop_front();
      r.recent.emplace_back(zxid, std::string(body));
    }
    // A refused reconfig (ReconfigInProgress while another was pending) changes nothing.
    if (t.type == jute::opcode::reconfig && t.refused == jute::error_code::ok)
      r.last_reconfig.emplace(zxid, std::string(body));
    return true;
  });
  if (!replay.repaired.empty()) r.warnings.push_back(replay.repaired);
  r.status = replay.status;
  r.replayed = replay.replayed;
  return r;
}

recovery_result recover_to(file_system& fs, const std::string& snap_dir, const std::string& log_dir,
                           int64_t zxid) {
  std::vector<std::string> removed;
  for (const auto& snap : list_snapshots(fs, snap_dir))
    if (snap.zxid > zxid && fs.remove(snap.path).ok())
      removed.push_back("removed " + snap.path + ", which holds txns after the truncation");
  auto r = recover(fs, snap_dir, log_dir);
  r.warnings.insert(r.warnings.begin(), removed.begin(), removed.end());
  if (r.status.ok() && r.tree.last_zxid() != zxid)
    r.status = {EINVAL,
                fmt::format("the data on disk ends at 0x{:x}, not at 0x{:x}; wipe dataDir to "
                            "resync this server from its leader by SNAP",
                            r.tree.last_zxid(), zxid),
                true};
  return r;
}

std::vector<std::string> purge_old_files(file_system& fs, const std::string& snap_dir,
                                         const std::string& log_dir, int retain) {
  std::vector<std::string> deleted;
  auto snaps = list_snapshots(fs, snap_dir); // newest first
  if (retain < 1 || snaps.size() <= static_cast<size_t>(retain)) return deleted;
  const int64_t oldest_kept = snaps[static_cast<size_t>(retain) - 1].zxid;
  for (size_t i = static_cast<size_t>(retain); i < snaps.size(); ++i)
    if (fs.remove(snaps[i].path).ok()) deleted.push_back(snaps[i].path);
  // A segment is needed while it may hold a zxid after the oldest kept snapshot: it is
  // unneeded only when the next segment starts at or before oldest_kept + 1.
  std::vector<log_segment_file> segments;
  if (!list_log_segments(fs, log_dir, segments).ok()) return deleted;
  for (size_t i = 0; i + 1 < segments.size(); ++i)
    if (segments[i + 1].first_zxid <= oldest_kept + 1 && fs.remove(segments[i].path).ok())
      deleted.push_back(segments[i].path);
  return deleted;
}

} // namespace paddock::store
