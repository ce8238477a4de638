#include "store/disk/restore.hpp"

#include "store/disk/fresh_directory.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/snapshot.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace paddock::store {

namespace fs = std::filesystem;

restore_result restore_backup(const std::string& backup_file, const std::string& data_dir,
                              const std::string& log_dir) {
  posix_file_system disk;
  std::string bytes;
  if (auto st = read_whole_file(disk, backup_file, bytes); !st.ok())
    return {2, fmt::format("cannot read {}: {}", backup_file, st.message)};
  // Checked whole (every checksum, the counts, the trailer) before anything is written.
  data_tree tree;
  if (auto st = parse_snapshot(bytes, backup_file, tree); !st.ok())
    return {2, fmt::format("{} is not a sound backup: {}", backup_file, st.message)};
  // The layout of config::server_config: snapshots in dataDir/paddock, the log in
  // dataLogDir/paddock. A log left there would be replayed over the backup.
  const std::string snap_dir = (fs::path(data_dir) / "paddock").string();
  const std::string txn_dir = (fs::path(log_dir) / "paddock").string();
  for (const auto& dir : {snap_dir, txn_dir})
    if (auto bad = unfit_target(dir)) return {2, *bad};
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return {1, fmt::format("cannot create {}: {}", data_dir, ec.message())};
  const auto tmp = temp_next_to(snap_dir);
  fs::remove_all(tmp, ec);
  auto fail = [&](const io_status& st) {
    fs::remove_all(tmp, ec);
    return restore_result{1, st.message};
  };
  if (auto st = disk.create_directories(tmp.string()); !st.ok()) return fail(st);
  const int64_t zxid = tree.last_zxid();
  // The backup's /zookeeper/config names the ensemble it came from; restored onto other
  // servers (a recovery site that ran before) a restart could take it as this ensemble's
  // pending membership. Forgotten, as an import forgets ZooKeeper's: zoo.cfg decides.
  tree.forget_config_node();
  bytes.clear();
  if (auto st = serialize_snapshot(tree, bytes); !st.ok()) return fail(st);
  if (auto st = write_snapshot_bytes(disk, bytes, zxid, tmp.string()); !st.ok()) return fail(st);
  if (auto st = install_directory(disk, tmp, snap_dir); !st.ok()) return fail(st);
  return {0, fmt::format("restored zxid 0x{:x} into {}: {} znodes, {} sessions", zxid, snap_dir,
                         tree.node_count(), tree.session_count())};
}

} // namespace paddock::store
