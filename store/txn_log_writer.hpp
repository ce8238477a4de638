#pragma once
// Appends framed txn records to the current segment of the txn log and makes them durable.
// Plain file I/O, no threads: the log_writer actor (actors/log_writer) drives it from its own
// thread and decides batching; this class decides how bytes reach the disk.
//
// Invariants:
// - Bytes before durable_end() were written and (with force_sync) fdatasync'ed; a failed
//   write cuts the file back to durable_end(), so a half-written batch never stays behind a
//   later one (a reader could otherwise take its surviving records for real ones).
// - A new segment's directory entry is fsync'ed before any record in it is reported durable.
// - An fdatasync failure is returned once and never retried by this class: after a failed
//   fsync the kernel may have dropped the dirty pages, so the only safe answer is to stop
//   and recover from what the disk really holds (the caller exits).
#include "store/io_status.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace paddock::store {

class txn_log_writer {
public:
  txn_log_writer(std::string dir, int64_t prealloc_bytes, bool force_sync);
  ~txn_log_writer();
  txn_log_writer(const txn_log_writer&) = delete;
  txn_log_writer& operator=(const txn_log_writer&) = delete;

  // Closes the current segment (if any) and creates "log.<first_zxid>" for the next records.
  io_status start_segment(int64_t first_zxid);
  bool has_segment() const { return fd_ >= 0; }

  // Writes framed records at the end of the current segment. On failure the segment is cut
  // back to durable_end() and the records count as never written.
  io_status write(std::string_view records);
  // fdatasync (unless force_sync is off). A failure is final for this process.
  io_status sync();

  int64_t durable_end() const { return end_; }
  const std::string& segment_path() const { return path_; }

  // Gives back the preallocated tail and closes the segment; the next write needs a
  // start_segment. (ZAB's TRUNC and SNAP change the files underneath: see log_truncate.)
  void close_segment();

private:
  io_status preallocate(int64_t needed_end);

  std::string dir_;
  int64_t prealloc_bytes_;
  bool force_sync_;
  int fd_ = -1;
  std::string path_;
  int64_t end_ = 0;       // where the next record goes
  int64_t allocated_ = 0; // the file's size: preallocated up to here
  bool prealloc_warned_ = false;
};

// fsync of a directory, so that files created or renamed in it survive a crash.
io_status sync_directory(const std::string& dir);

} // namespace paddock::store
