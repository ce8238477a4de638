#pragma once
// A learner's side of a SNAP: the leader's snapshot arrives as a stream of chunks, which go
// straight to a file in the snapshot directory, "snapshot.<16 hex digits of zxid>.received"
// (list_snapshots, recovery and autopurge never see it), so the learner never holds the image
// in memory. The stream is accepted only whole: every chunk at the offset where the previous
// one ended, and at the end the size and the CRC32C of all the bytes the leader announces
// (a lost or damaged chunk is refused, and the learner joins again). Then the file is
// fsync'ed; installing it loads the tree from it (every frame's CRC, the counts, the trailer:
// the loader's checks), and only then renames it to "snapshot.<zxid>" and fsyncs the
// directory: the received image becomes a snapshot of this server at the moment the learner
// takes it, as write_snapshot_bytes did when the image came in one piece.
#include "store/disk/file_system.hpp"
#include "store/disk/io_status.hpp"
#include "store/tree/data_tree.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace paddock::store {

std::string received_snapshot_name(int64_t zxid);

class received_snapshot_writer {
public:
  received_snapshot_writer(file_system& fs, std::string dir);
  ~received_snapshot_writer(); // an unfinished file is removed
  received_snapshot_writer(const received_snapshot_writer&) = delete;
  received_snapshot_writer& operator=(const received_snapshot_writer&) = delete;

  // A new stream: the image of `zxid`. Removes any received file left by an earlier stream
  // (a crash, a stream abandoned).
  io_status begin(int64_t zxid);
  // The next chunk; `offset` must be where the previous one ended.
  io_status append(uint64_t offset, std::string_view bytes);
  // The leader says the stream ends at `total` bytes with CRC32C `crc`: checked, then fsync'ed.
  io_status finish(uint64_t total, uint32_t crc);
  void abandon(); // removes the file

  bool open() const { return file_ != nullptr; }
  int64_t zxid() const { return zxid_; }
  uint64_t bytes() const { return offset_; }

private:
  io_status fail(io_status st); // abandons, passes `st` on

  file_system& fs_;
  std::string dir_, path_;
  std::unique_ptr<writable_file> file_;
  int64_t zxid_ = 0;
  uint64_t offset_ = 0;
  uint64_t unsynced_ = 0;
  uint32_t crc_ = 0;
};

// Learner, installing a finished stream of `zxid` from `dir`: loads it into `out` (replaced
// only when the whole file is valid and holds exactly `zxid`), then makes it this server's
// snapshot of `zxid` (rename, directory fsync).
io_status install_received_snapshot(file_system& fs, const std::string& dir, int64_t zxid,
                                    data_tree& out);

} // namespace paddock::store
