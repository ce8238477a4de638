// Snapshot writing on a disk that fails: ENOSPC at every byte, an EIO at every call of each
// step (create, write, fsync, rename, directory fsync), the power going at every call. A
// failed snapshot never replaces the previous good one: every snapshot listed loads whole,
// the previous one stays, and recovery (snapshot + log) gives the same tree every time.
#include "logged_sessions.hpp"
#include "store/disk/fault_injecting_file_system.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/snapshot.hpp"
#include "store/disk/txn_log_writer.hpp"
#include "tree_description.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <map>
#include <sstream>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::describe_tree;
using op = fault_injecting_file_system::op;
namespace opcode = jute::opcode;

namespace {

const std::string snap_dir = "/data/snap";
const std::string log_dir = "/data/log";
constexpr int64_t old_snapshot_zxid = 10;
constexpr int64_t last_zxid = 30;

// Txn `zxid` of the history: a session first, then znodes with data, some changed later.
txn history_txn(int64_t zxid) {
  txn t;
  t.zxid = zxid;
  t.time_ms = 5000 + zxid;
  t.session_id = 1;
  if (zxid == 1) {
    t.type = opcode::create_session;
    t.session_timeout_ms = 30000;
    t.session_passwd = "password";
  } else if (zxid % 4 == 0) {
    t.type = opcode::set_data;
    t.ops.push_back({opcode::set_data, jute::set_data_request{"/n" + std::to_string(zxid - 2),
                                                              std::string(50, 'x'), -1}});
  } else {
    t.type = opcode::create;
    t.ops.push_back(
        {opcode::create, jute::create_request{"/n" + std::to_string(zxid),
                                              std::string(static_cast<size_t>(zxid * 7), 'd'),
                                              jute::open_acl_unsafe(), 0, -1}});
  }
  return t;
}

data_tree tree_at(int64_t zxid) {
  data_tree tree;
  for (int64_t z = 1; z <= zxid; ++z)
    tree.apply(history_txn(z));
  return tree;
}

// The disk before the snapshot of last_zxid is taken: the snapshot of old_snapshot_zxid
// and the whole log, all durable.
void prepare(fault_injecting_file_system& fs) {
  REQUIRE(fs.create_directories(snap_dir).ok());
  REQUIRE(fs.create_directories(log_dir).ok());
  REQUIRE(write_snapshot(fs, tree_at(old_snapshot_zxid), snap_dir).ok());
  txn_log_writer log(fs, log_dir, 0, true);
  REQUIRE(log.start_segment(1).ok());
  std::string records, body;
  for (int64_t z = 1; z <= last_zxid; ++z) {
    encode_txn(history_txn(z), body);
    log_format::append_record(records, z, body);
  }
  REQUIRE(log.write(records).ok());
  REQUIRE(log.sync().ok());
}

// The snapshots on disk all load whole, the old one is among them, and recovery gives the
// tree at last_zxid. Returns the zxids of the snapshots listed.
std::vector<int64_t> check_disk(fault_injecting_file_system& fs, const std::string& expected) {
  std::vector<int64_t> zxids;
  for (const auto& snap : list_snapshots(fs, snap_dir)) {
    data_tree loaded;
    auto st = load_snapshot(fs, snap.path, loaded);
    INFO(st.message);
    CHECK(st.ok());
    CHECK(loaded.last_zxid() == snap.zxid);
    zxids.push_back(snap.zxid);
  }
  CHECK(std::find(zxids.begin(), zxids.end(), old_snapshot_zxid) != zxids.end());
  auto r = recover(fs, snap_dir, log_dir);
  INFO(r.status.message);
  REQUIRE(r.status.ok());
  CHECK(describe_tree(r.tree) == expected);
  return zxids;
}

bool has_tmp_file(const fault_injecting_file_system& fs) {
  for (const auto& path : fs.files())
    if (path.size() > 4 && path.compare(path.size() - 4, 4, ".tmp") == 0) return true;
  return false;
}

struct snapshot_cost {
  int64_t bytes = 0;
  uint64_t mutating = 0;
  std::map<op, uint64_t> calls;
};

snapshot_cost measure(const data_tree& tree) {
  fault_injecting_file_system fs;
  prepare(fs);
  const auto bytes = fs.bytes_written();
  const auto mutating = fs.mutating_calls();
  std::map<op, uint64_t> before;
  const auto steps = {op::open_write, op::write, op::sync, op::rename, op::sync_directory};
  for (auto o : steps)
    before[o] = fs.calls(o);
  REQUIRE(write_snapshot(fs, tree, snap_dir).ok());
  snapshot_cost cost{
      static_cast<int64_t>(fs.bytes_written() - bytes), fs.mutating_calls() - mutating, {}};
  for (auto o : steps)
    cost.calls[o] = fs.calls(o) - before[o];
  return cost;
}

} // namespace

TEST_CASE("snapshot: ENOSPC at every byte leaves the previous snapshot in charge") {
  const auto tree = tree_at(last_zxid);
  const auto expected = describe_tree(tree);
  const auto cost = measure(tree);
  REQUIRE(cost.bytes > 1000);
  for (int64_t space = 0; space < cost.bytes; ++space) {
    CAPTURE(space);
    fault_injecting_file_system fs;
    prepare(fs);
    fs.set_space(space);
    auto st = write_snapshot(fs, tree, snap_dir);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error == ENOSPC);
    CHECK_FALSE(has_tmp_file(fs)); // the half-written file is removed
    fs.clear_faults();
    CHECK(check_disk(fs, expected) == std::vector<int64_t>{old_snapshot_zxid});
    fs.crash();
    fs.restart();
    CHECK(check_disk(fs, expected) == std::vector<int64_t>{old_snapshot_zxid});
  }
}

TEST_CASE("snapshot: a failure at every call of every step leaves a loadable set") {
  const auto tree = tree_at(last_zxid);
  const auto expected = describe_tree(tree);
  const auto cost = measure(tree);
  for (const auto& [step, calls] : cost.calls) {
    REQUIRE(calls > 0);
    for (uint64_t k = 0; k < calls; ++k) {
      CAPTURE(static_cast<int>(step), k);
      fault_injecting_file_system fs;
      prepare(fs);
      fs.fail(step, EIO, k);
      auto st = write_snapshot(fs, tree, snap_dir);
      REQUIRE_FALSE(st.ok());
      CHECK(st.error == EIO);
      auto listed = check_disk(fs, expected);
      // Only a failed directory fsync comes after the rename: the new snapshot, whole and
      // synced, may then be in place; before it, never.
      if (step != op::sync_directory) CHECK(listed == std::vector<int64_t>{old_snapshot_zxid});
      fs.crash();
      fs.restart();
      check_disk(fs, expected);
    }
  }
}

TEST_CASE("snapshot: the power goes at every call: the old or the new snapshot, both whole") {
  const auto tree = tree_at(last_zxid);
  const auto expected = describe_tree(tree);
  const auto cost = measure(tree);
  bool saw_new = false;
  for (uint64_t at = 0; at <= cost.mutating; ++at) {
    for (size_t keep : {size_t{0}, size_t{100}, size_t{1} << 20}) {
      CAPTURE(at, keep);
      fault_injecting_file_system fs;
      prepare(fs);
      fs.crash_after(at, keep);
      auto st = write_snapshot(fs, tree, snap_dir);
      if (at < cost.mutating) CHECK_FALSE(st.ok());
      if (!fs.crashed()) fs.crash(keep); // after the last call: the power goes right after
      fs.restart();
      auto listed = check_disk(fs, expected);
      if (listed.size() == 2) saw_new = true;
      // Once write_snapshot has returned success, the new snapshot survives any crash.
      if (st.ok()) CHECK(listed.size() == 2);
    }
  }
  CHECK(saw_new);
}
