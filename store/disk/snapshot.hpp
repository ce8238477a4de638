#pragma once
// Snapshots: the whole data tree at one zxid in one file (docs/on-disk-format.md).
//   file:   "PDKSNAP1" (8 bytes), then frames, each: body length (u32 LE), CRC32C of the kind
//           byte and the body (u32 LE), kind (u8), body (Protobuf, protocol/proto/snapshot.proto)
//   frames: one SnapshotHeader (kind 1), AclList (2) per distinct ACL list, SnapshotNode (3)
//           per znode (a parent before its children), SnapshotSession (4) per session, and a
//           SnapshotTrailer (5) with the counts and the CRC32C of every byte before it.
// A snapshot is valid only whole: a missing trailer, a bad CRC or a count that disagrees makes
// the loader reject it, and recovery falls back to the previous snapshot.
// Written to "snapshot.<zxid>.tmp", fsync'ed, renamed to "snapshot.<16 hex digits of zxid>",
// and the directory fsync'ed: a crash leaves either the old set of snapshots or the new one.
// Every file operation goes through a file_system (the server's is posix_file_system).
#include "store/disk/file_system.hpp"
#include "store/disk/io_status.hpp"
#include "store/tree/data_tree.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::store {

struct snapshot_file {
  int64_t zxid = 0;
  std::string path;
};

std::string snapshot_name(int64_t zxid);

// Snapshots in `dir`, newest (highest zxid) first. Leftover .tmp files are not listed.
std::vector<snapshot_file> list_snapshots(file_system& fs, const std::string& dir);

// Writes the tree as of tree.last_zxid() into `dir`.
io_status write_snapshot(file_system& fs, const data_tree& tree, const std::string& dir);

// Loads a snapshot into `out` (replaced only when the whole file is valid).
io_status load_snapshot(file_system& fs, const std::string& path, data_tree& out);

// The same format in memory: what a leader sends a learner it syncs by SNAP.
io_status serialize_snapshot(const data_tree& tree, std::string& out);
// Parses snapshot bytes (checksums, counts, trailer as for a file); `label` names it in errors.
io_status parse_snapshot(std::string_view bytes, const std::string& label, data_tree& out);
// Stores received snapshot bytes as the snapshot of `zxid` in `dir`, durably (tmp file,
// fsync, rename, directory fsync), as write_snapshot does.
io_status write_snapshot_bytes(file_system& fs, std::string_view bytes, int64_t zxid,
                               const std::string& dir);

// One snapshot file written piece by piece, crash-safely: open() creates "snapshot.<zxid>.tmp",
// append() writes the bytes in order, finish() fsyncs it, renames it into place and fsyncs
// the directory. Destroyed unfinished (or after a failure), it removes the .tmp file: only a
// renamed file is a snapshot (list_snapshots, recovery and autopurge never see a .tmp).
class snapshot_file_writer {
public:
  snapshot_file_writer(file_system& fs, std::string dir, int64_t zxid);
  ~snapshot_file_writer();
  snapshot_file_writer(const snapshot_file_writer&) = delete;
  snapshot_file_writer& operator=(const snapshot_file_writer&) = delete;

  io_status open();
  io_status append(std::string_view bytes);
  // fdatasync of what is appended so far (not the rename): writing a large file out in
  // pieces, so the pages it dirtied are not all flushed at once, by another file's sync.
  io_status sync_data();
  io_status finish();
  void abandon(); // removes the .tmp file (nothing once finish() renamed it)
  int64_t bytes_written() const { return offset_; }

private:
  file_system& fs_;
  std::string dir_, final_path_, tmp_path_;
  std::unique_ptr<writable_file> file_;
  int64_t offset_ = 0;
  bool renamed_ = false;
};

} // namespace paddock::store
