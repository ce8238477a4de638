#include "store/disk/received_snapshot.hpp"

#include "store/disk/crc32c.hpp"
#include "store/disk/snapshot.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <span>

namespace paddock::store {

namespace {

constexpr std::string_view suffix = ".received";

// Syncs every few MB while receiving, as the snapshotter does for its own snapshots: the
// pages a large stream dirties are not all left for one later sync (of the log, say).
constexpr uint64_t sync_every_bytes = 4 << 20;

bool is_received_name(std::string_view name) {
  return name.starts_with("snapshot.") && name.ends_with(suffix);
}

} // namespace

std::string received_snapshot_name(int64_t zxid) {
  return snapshot_name(zxid) + std::string(suffix);
}

received_snapshot_writer::received_snapshot_writer(file_system& fs, std::string dir)
    : fs_(fs), dir_(std::move(dir)) {}

received_snapshot_writer::~received_snapshot_writer() {
  abandon();
}

io_status received_snapshot_writer::fail(io_status st) {
  abandon();
  return st;
}

io_status received_snapshot_writer::begin(int64_t zxid) {
  abandon();
  // An earlier stream's leftover goes first; one that cannot be removed (or a directory that
  // cannot be listed) is a disk this server cannot write a snapshot to either.
  std::vector<std::string> names;
  if (auto st = fs_.list(dir_, names); !st.ok()) return fail(st);
  for (const auto& name : names)
    if (is_received_name(name))
      if (auto st = fs_.remove(dir_ + "/" + name); !st.ok() && st.error != ENOENT) return fail(st);
  zxid_ = zxid;
  offset_ = unsynced_ = 0;
  crc_ = 0;
  path_ = dir_ + "/" + received_snapshot_name(zxid);
  if (auto st = fs_.open_for_write(path_, open_mode::create_or_truncate, file_); !st.ok())
    return fail(st);
  return io_status::success();
}

io_status received_snapshot_writer::append(uint64_t offset, std::string_view bytes) {
  if (!file_) return io_status::from_errno(EBADF, "no snapshot stream being received");
  if (offset != offset_)
    return fail(io_status::from_errno(
        EPROTO, fmt::format("snapshot stream of zxid 0x{:x}: a chunk at byte {} where {} was "
                            "expected (chunks were lost)",
                            zxid_, offset, offset_)));
  if (auto st = write_fully(*file_, static_cast<int64_t>(offset_), bytes); !st.ok())
    return fail(st);
  crc_ = crc32c_extend(crc_, std::span<const char>(bytes.data(), bytes.size()));
  offset_ += bytes.size();
  unsynced_ += bytes.size();
  if (unsynced_ >= sync_every_bytes) {
    unsynced_ = 0;
    if (auto st = file_->sync_data(); !st.ok()) return fail(st);
  }
  return io_status::success();
}

io_status received_snapshot_writer::finish(uint64_t total, uint32_t crc) {
  if (!file_) return io_status::from_errno(EBADF, "no snapshot stream being received");
  if (total != offset_)
    return fail(io_status::from_errno(
        EPROTO, fmt::format("snapshot stream of zxid 0x{:x}: {} bytes received, the leader "
                            "sent {}",
                            zxid_, offset_, total)));
  if (crc != crc_)
    return fail(io_status::from_errno(
        EPROTO, fmt::format("snapshot stream of zxid 0x{:x}: CRC32C {:08x} of the bytes "
                            "received, the leader's is {:08x}",
                            zxid_, crc_, crc)));
  auto st = file_->sync();
  file_.reset();
  if (!st.ok()) {
    (void)fs_.remove(path_);
    return st;
  }
  return io_status::success();
}

void received_snapshot_writer::abandon() {
  if (!file_) return;
  file_.reset();
  (void)fs_.remove(path_);
}

io_status install_received_snapshot(file_system& fs, const std::string& dir, int64_t zxid,
                                    data_tree& out) {
  const auto path = dir + "/" + received_snapshot_name(zxid);
  data_tree tree;
  if (auto st = load_snapshot(fs, path, tree); !st.ok()) return st;
  if (tree.last_zxid() != zxid)
    return io_status::from_errno(
        EINVAL, fmt::format("{}: holds zxid 0x{:x}, not 0x{:x}", path, tree.last_zxid(), zxid));
  if (auto st = fs.rename(path, dir + "/" + snapshot_name(zxid)); !st.ok()) return st;
  if (auto st = fs.sync_directory(dir); !st.ok()) return st;
  out = std::move(tree);
  return io_status::success();
}

} // namespace paddock::store
