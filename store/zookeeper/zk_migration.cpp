#include "store/zookeeper/zk_migration.hpp"

#include "store/disk/epoch_file.hpp"
#include "store/disk/fresh_directory.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/snapshot.hpp"
#include "store/zookeeper/zk_digest.hpp"
#include "store/zookeeper/zk_session_password.hpp"
#include "store/zookeeper/zk_snap_stream.hpp"
#include "store/zookeeper/zk_snapshot.hpp"
#include "store/zookeeper/zk_txn_log.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <sstream>
#include <unistd.h>
#include <utility>

namespace paddock::store::zookeeper {

namespace fs = std::filesystem;

namespace {

migration_result refused(std::string message) {
  return {2, std::move(message), {}};
}

std::optional<std::string> read_whole_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(s).str();
}

// ZooKeeper's files live in <dataDir>/version-2; the folder itself may be given too.
fs::path version2_folder(const std::string& dir) {
  fs::path p(dir);
  if (fs::is_directory(p / "version-2")) return p / "version-2";
  return p;
}

// Files "<prefix>.<hex zxid>[.ext]" in `dir`, by zxid, newest first when `newest_first`.
// ZooKeeper orders by zxid alone (snapshot.5 and snapshot.5.gz in directory order); the name
// breaks ties here so that an import reads the same file every time.
std::vector<std::pair<int64_t, fs::path>> zxid_files(const fs::path& dir, std::string_view prefix,
                                                     bool newest_first) {
  std::vector<std::pair<int64_t, fs::path>> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    if (auto z = zxid_from_name(e.path().filename().string(), prefix))
      out.emplace_back(*z, e.path());
  }
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return newest_first ? a.first > b.first : a.first < b.first;
    return a.second.filename() < b.second.filename();
  });
  return out;
}

// The result of a directory installed into place (store/disk/fresh_directory).
migration_result install(posix_file_system& disk, const fs::path& tmp, const std::string& to) {
  if (auto st = install_directory(disk, tmp, to); !st.ok()) return {1, st.message, {}};
  return {};
}

// The ZooKeeper snapshot to start from and the tree it holds.
struct loaded_snapshot {
  zk_tree tree;
  fs::path path;
  zk_snapshot_info info;
};

// ZooKeeper's digest checks at start-up, replayed: a snapshot's digest (of a zxid at or after
// the snapshot's own) is compared when the replay reaches that zxid; until then the tree is
// fuzzy and no txn digest is compared; from then on every txn's is. A mismatch is reported,
// as ZooKeeper reports it, and the import goes on, as ZooKeeper does.
class digest_checker {
public:
  digest_checker(const zk_tree& tree, const std::optional<zxid_digest>& snap, int64_t snap_zxid) {
    if (snap && snap->zxid > 0 && snap->zxid >= snap_zxid && snap->version == zk_digest_version)
      pending_ = *snap;
    if (pending_ && pending_->zxid == snap_zxid) compare_snapshot(tree);
  }

  void after_txn(const zk_tree& tree, int64_t zxid, const std::optional<txn_digest>& logged) {
    if (pending_) {
      if (zxid == pending_->zxid) compare_snapshot(tree);
      return;
    }
    if (logged && logged->version == zk_digest_version) compare(tree, zxid, logged->digest, "txn");
  }

  size_t checked() const { return checked_; }
  const std::vector<std::string>& mismatches() const { return mismatches_; }
  bool snapshot_digest_unreached() const { return pending_.has_value(); }

private:
  void compare_snapshot(const zk_tree& tree) {
    compare(tree, pending_->zxid, pending_->digest, "snapshot");
    pending_.reset();
  }
  void compare(const zk_tree& tree, int64_t zxid, int64_t expected, const char* source) {
    ++checked_;
    if (tree.digest == expected) return;
    mismatches_.push_back(fmt::format("the tree digest after zxid 0x{:x} is {:#x}, the {} says "
                                      "{:#x}: the tree differs from what ZooKeeper had",
                                      zxid, static_cast<uint64_t>(tree.digest), source,
                                      static_cast<uint64_t>(expected)));
  }

  std::optional<zxid_digest> pending_;
  size_t checked_ = 0;
  std::vector<std::string> mismatches_;
};

std::optional<loaded_snapshot> load_newest_snapshot(const fs::path& dir, size_t max_inflated,
                                                    std::vector<std::string>& notes,
                                                    std::string& error) {
  auto snaps = zxid_files(dir, "snapshot", true);
  if (snaps.empty()) {
    error = fmt::format("no ZooKeeper snapshot (snapshot.<zxid>) in {}", dir.string());
    return std::nullopt;
  }
  std::vector<std::string> problems;
  for (const auto& [zxid, path] : snaps) {
    auto name = path.filename().string();
    auto bytes = read_whole_file(path);
    if (!bytes) {
      problems.push_back(fmt::format("{}: cannot be read", name));
      continue;
    }
    loaded_snapshot s;
    std::string why;
    // snapshot.<zxid>.gz / .snappy hold the same bytes, compressed (zk_snap_stream.hpp).
    if (!open_snap_stream(snap_stream_of(name), *bytes, why, max_inflated) ||
        !parse_zk_snapshot(*bytes, s.tree, s.info, why)) {
      problems.push_back(fmt::format("{}: {}", name, why));
      continue;
    }
    for (auto& p : problems)
      notes.push_back("skipped " + p + " (falling back to an older snapshot, as ZooKeeper does)");
    s.tree.last_zxid = zxid;
    s.path = path;
    return s;
  }
  error = "no valid snapshot in " + dir.string() + ":";
  for (const auto& p : problems)
    error += "\n  " + p;
  return std::nullopt;
}

// FileTxnLog.getLogFiles: the newest log starting at or before `from_zxid`, and every later
// one.
std::vector<fs::path> logs_from(const fs::path& dir, int64_t from_zxid) {
  auto logs = zxid_files(dir, "log", false);
  int64_t start = 0;
  for (const auto& [zxid, path] : logs) {
    if (zxid > from_zxid) break;
    start = std::max(start, zxid);
  }
  std::vector<fs::path> out;
  for (const auto& [zxid, path] : logs)
    if (zxid >= start) out.push_back(path);
  return out;
}

} // namespace

bool to_data_tree(const zk_tree& in, data_tree& out, std::string& error) {
  data_tree tree;
  // Parent-first, from the root: the order restore_node needs.
  std::vector<std::string> stack{""};
  while (!stack.empty()) {
    auto path = std::move(stack.back());
    stack.pop_back();
    auto it = in.nodes.find(path);
    if (it == in.nodes.end()) {
      error = fmt::format("znode {} is listed as a child but does not exist", path);
      return false;
    }
    const zk_node& n = it->second;
    znode_image img{.path = path,
                    .data = n.data,
                    .data_is_null = n.data_is_null,
                    .czxid = n.stat.czxid,
                    .mzxid = n.stat.mzxid,
                    .pzxid = n.stat.pzxid,
                    .ctime = n.stat.ctime,
                    .mtime = n.stat.mtime,
                    .ephemeral_owner = n.stat.ephemeral_owner,
                    .version = n.stat.version,
                    .cversion = n.stat.cversion,
                    .aversion = n.stat.aversion,
                    .num_children = static_cast<uint32_t>(n.children.size())};
    if (!tree.restore_node(img, n.acl)) {
      error = fmt::format("znode {} cannot be placed in the tree", path);
      return false;
    }
    for (const auto& child : n.children)
      stack.push_back(path + "/" + child);
  }
  for (const auto& [id, timeout] : in.sessions)
    tree.restore_session({id, timeout, zk_session_password(id)});
  tree.restore_last_zxid(in.last_zxid);
  out = std::move(tree);
  return true;
}

size_t inflated_snapshot_limit() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return size_t{4} << 30; // unknown: 4 GiB
  return static_cast<size_t>(pages) / 2 * static_cast<size_t>(page_size);
}

migration_result import_zookeeper(const std::string& from, const std::string& from_log,
                                  const std::string& to, size_t max_inflated_snapshot) {
  if (auto bad = unfit_target(to)) return refused(*bad);
  auto snap_dir = version2_folder(from);
  auto log_dir = from_log.empty() ? snap_dir : version2_folder(from_log);
  if (!fs::is_directory(snap_dir)) return refused(fmt::format("{} is not a directory", from));

  migration_result result;
  std::string error;
  const size_t max_inflated =
      max_inflated_snapshot > 0 ? max_inflated_snapshot : inflated_snapshot_limit();
  auto snap = load_newest_snapshot(snap_dir, max_inflated, result.notes, error);
  if (!snap) return refused(error);
  zk_tree& tree = snap->tree;
  const int64_t snap_zxid = tree.last_zxid;

  // Every logged txn after the snapshot, as ZooKeeper's fastForwardFromEdits: a torn or
  // zero-padded end of one file moves on to the next file; a checksum mismatch stops.
  size_t replayed = 0;
  digest_checker digests(tree, snap->info.digest, snap_zxid);
  std::optional<txn_digest> logged;
  for (const auto& path : logs_from(log_dir, snap_zxid + 1)) {
    auto bytes = read_whole_file(path);
    if (!bytes) return refused(fmt::format("{}: cannot be read", path.string()));
    auto log = parse_zk_log(*bytes);
    if (!log.ok) return refused(fmt::format("{}: {}", path.string(), log.error));
    if (log.end == zk_log_end::torn)
      result.notes.push_back(fmt::format("{}: a torn record at offset {} ends the log there (a "
                                         "write cut short by a crash), as ZooKeeper reads it",
                                         path.filename().string(), log.end_offset));
    for (const auto& rec : log.records) {
      if (rec.header.zxid <= snap_zxid) continue;
      if (!apply_txn(tree, rec.header, rec.body, error, &logged))
        return refused(fmt::format("{}: {}", path.string(), error));
      digests.after_txn(tree, rec.header.zxid, logged);
      ++replayed;
    }
  }

  for (const auto& m : digests.mismatches())
    result.notes.push_back("digest mismatch: " + m);
  if (digests.snapshot_digest_unreached())
    result.notes.push_back("the snapshot's digest is of a zxid the logs do not reach: not "
                           "compared (ZooKeeper warns of the same)");

  data_tree out;
  if (!to_data_tree(tree, out, error)) return refused(error);
  // ZooKeeper's membership, as its last stamp left it in /zookeeper/config: this tree's
  // servers are the ones Paddock's zoo.cfg names, and left in, a restart with reconfigEnabled
  // could take it for a configuration this ensemble agreed on. The node becomes what a fresh
  // tree holds until the first leader stamps Paddock's (its ACL stays ZooKeeper's). After the
  // digest checks, though /zookeeper/ counts 0 there anyway.
  out.forget_config_node();

  posix_file_system disk;
  auto tmp = temp_next_to(to);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  auto paddock_dir = (tmp / "paddock").string();
  if (auto st = disk.create_directories(paddock_dir); !st.ok()) return {1, st.message, {}};
  auto fail = [&](const io_status& st) {
    fs::remove_all(tmp, ec);
    return migration_result{1, st.message, {}};
  };
  if (auto st = write_snapshot(disk, out, paddock_dir); !st.ok()) return fail(st);
  // An ensemble member keeps its ZAB epochs (ZooKeeper has them next to its snapshots).
  for (const char* name : {"acceptedEpoch", "currentEpoch"}) {
    auto epoch = read_epoch_file(disk, (snap_dir / name).string());
    if (!epoch.status.ok()) {
      fs::remove_all(tmp, ec);
      return refused(epoch.status.message);
    }
    if (epoch.value)
      if (auto st = write_epoch_file(disk, paddock_dir + "/" + name, *epoch.value); !st.ok())
        return fail(st);
  }
  if (auto st = disk.sync_directory(tmp.string()); !st.ok()) return fail(st);
  auto installed = install(disk, tmp, to);
  if (installed.exit_code != 0) {
    fs::remove_all(tmp, ec);
    return installed;
  }
  result.message = fmt::format(
      "imported zxid 0x{:x} into {}: {} ({} log records replayed after it), {} znodes, {} "
      "sessions; ZooKeeper's tree digest checked {} times, {} mismatches",
      out.last_zxid(), to, snap->path.string(), replayed, out.node_count(), out.session_count(),
      digests.checked(), digests.mismatches().size());
  return result;
}

migration_result export_zookeeper(const std::string& from, const std::string& from_log,
                                  const std::string& to) {
  if (auto bad = unfit_target(to)) return refused(*bad);
  if (!fs::is_directory(fs::path(from) / "paddock"))
    return refused(fmt::format("{} holds no Paddock data ({}/paddock is missing)", from, from));
  posix_file_system disk;
  auto snap_dir = from + "/paddock";
  auto log_dir = (from_log.empty() ? from : from_log) + "/paddock";
  auto recovered = recover(disk, snap_dir, log_dir);
  if (!recovered.status.ok())
    return refused(fmt::format("cannot recover {}: {}", from, recovered.status.message));
  migration_result result;
  result.notes = recovered.warnings;
  const data_tree& tree = recovered.tree;
  const int64_t zxid = tree.last_zxid();

  auto tmp = temp_next_to(to);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  auto version2 = (tmp / "version-2").string();
  if (auto st = disk.create_directories(version2); !st.ok()) return {1, st.message, {}};
  auto fail = [&](const io_status& st) {
    fs::remove_all(tmp, ec);
    return migration_result{1, st.message, {}};
  };
  auto bytes = write_zk_snapshot(tree);
  {
    std::unique_ptr<writable_file> f;
    auto path = version2 + "/" + zk_snapshot_name(zxid);
    if (auto st = disk.open_for_write(path, open_mode::create_or_truncate, f); !st.ok())
      return fail(st);
    size_t written = 0;
    if (auto st = f->write_at(0, bytes, written); !st.ok()) return fail(st);
    if (auto st = f->sync(); !st.ok()) return fail(st);
  }
  // ZooKeeper's epochs: Paddock's when it has them (an ensemble member), else the epoch of
  // the last zxid, which is what ZooKeeper assumes without the files.
  for (const char* name : {"acceptedEpoch", "currentEpoch"}) {
    auto epoch = read_epoch_file(disk, snap_dir + "/" + name);
    if (!epoch.status.ok()) {
      fs::remove_all(tmp, ec);
      return refused(epoch.status.message);
    }
    auto value = epoch.value.value_or(static_cast<int64_t>(static_cast<uint64_t>(zxid) >> 32));
    if (auto st = write_epoch_file(disk, version2 + "/" + name, value); !st.ok()) return fail(st);
  }
  if (auto st = disk.sync_directory(version2); !st.ok()) return fail(st);
  auto installed = install(disk, tmp, to);
  if (installed.exit_code != 0) {
    fs::remove_all(tmp, ec);
    return installed;
  }
  result.message =
      fmt::format("exported zxid 0x{:x} to {}/version-2/{}: {} znodes, {} sessions", zxid, to,
                  zk_snapshot_name(zxid), tree.node_count(), tree.session_count());
  return result;
}

} // namespace paddock::store::zookeeper
