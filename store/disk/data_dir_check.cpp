#include "store/disk/data_dir_check.hpp"

#include "store/disk/snapshot.hpp"
#include "store/disk/txn_codec.hpp"
#include "store/disk/txn_log_reader.hpp"
#include "store/tree/data_tree.hpp"

#include <optional>

namespace paddock::store {

namespace {

// A record's body as recovery reads it: a txn, its zxid 0 (an ensemble's) or the record's.
bool decodes(std::string_view body, int64_t zxid, txn& t) {
  return decode_txn(body, t) && (t.zxid == 0 || t.zxid == zxid);
}

// Every record of the log, from its first segment on (the log may have been purged up to
// a snapshot, so it need not start at zxid 1): decoded, never applied, never repaired.
void check_whole_log(file_system& fs, const std::string& log_dir, data_dir_report& r) {
  std::vector<log_segment_file> segments;
  if (auto st = list_log_segments(fs, log_dir, segments); !st.ok()) {
    r.log_status = st;
    return;
  }
  r.log_segments = segments.size();
  if (segments.empty()) return;
  // The record before the first one: replay_log checks that the first record follows it.
  const int64_t before_first = segments.front().first_zxid - 1;
  txn t;
  auto replay = replay_log(
      fs, log_dir, before_first,
      [&](int64_t zxid, std::string_view body) {
        if (!decodes(body, zxid, t)) return false;
        if (r.log_records++ == 0) r.log_first_zxid = zxid;
        r.log_last_zxid = zxid;
        return true;
      },
      /*repair=*/false);
  r.log_status = replay.status;
  r.torn_tail = replay.repaired;
}

// Start-up without its repairs: the newest snapshot that loads (`tree`, empty when none
// loads), then the log after it, applied.
void replay_as_start_up(file_system& fs, const std::string& log_dir, data_tree& tree,
                        data_dir_report& r) {
  r.start_snapshot_zxid = tree.last_zxid();
  txn t;
  auto replay = replay_log(
      fs, log_dir, tree.last_zxid(),
      [&](int64_t zxid, std::string_view body) {
        if (!decodes(body, zxid, t)) return false;
        t.zxid = zxid;
        tree.apply(t);
        return true;
      },
      /*repair=*/false);
  r.start_status = replay.status;
  r.last_good_zxid = replay.status.ok() ? tree.last_zxid() : 0;
}

} // namespace

bool data_dir_report::damaged() const {
  for (const auto& s : snapshots)
    if (!s.status.ok()) return true;
  return !log_status.ok() || !start_status.ok();
}

data_dir_report verify_data_dir(file_system& fs, const std::string& snap_dir,
                                const std::string& log_dir) {
  data_dir_report r;
  std::optional<data_tree> newest_good; // what start-up would load
  for (const auto& snap : list_snapshots(fs, snap_dir)) {
    snapshot_verdict v;
    v.path = snap.path;
    v.zxid = snap.zxid;
    data_tree tree;
    v.status = load_snapshot(fs, snap.path, tree);
    if (v.status.ok()) {
      v.znodes = tree.node_count();
      v.sessions = tree.session_count();
      if (!newest_good) newest_good = std::move(tree);
    }
    r.snapshots.push_back(std::move(v));
  }
  check_whole_log(fs, log_dir, r);
  if (!newest_good) newest_good.emplace();
  replay_as_start_up(fs, log_dir, *newest_good, r);
  return r;
}

} // namespace paddock::store
