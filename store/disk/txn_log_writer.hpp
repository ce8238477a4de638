#pragma once
// Appends framed txn records to the current segment of the txn log and makes them durable.
// File I/O through a file_system, no threads: the txn log writer actor
// (actors/txn_log_writer_actor) drives it from its own thread and decides batching; this
// class decides how bytes reach the disk.
//
// Invariants:
// - Bytes before durable_end() were written whole (and, once sync() succeeds, fdatasync'ed);
//   a failed write cuts the file back to durable_end() — with force_sync, durably — so a
//   half-written batch never stays behind a later one, not even after a crash (a reader
//   could otherwise take its surviving records for real ones, and serve a write whose
//   client was told it failed).
// - A new segment's directory entry is fsync'ed before any record in it is reported durable.
// - An fdatasync failure is returned once and never retried by this class: after a failed
//   fsync the kernel may have dropped the dirty pages, so the only safe answer is to stop
//   and recover from what the disk really holds (the caller exits).
#include "store/disk/file_system.hpp"
#include "store/disk/io_status.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace paddock::store {

class txn_log_writer {
public:
  // `fs` must outlive the writer.
  txn_log_writer(file_system& fs, std::string dir, int64_t prealloc_bytes, bool force_sync);
  ~txn_log_writer();
  txn_log_writer(const txn_log_writer&) = delete;
  txn_log_writer& operator=(const txn_log_writer&) = delete;

  // Closes the current segment (if any) and creates "log.<first_zxid>" for the next records.
  io_status start_segment(int64_t first_zxid);
  bool has_segment() const { return file_ != nullptr; }

  // Writes framed records at the end of the current segment. On failure the segment is cut
  // back to durable_end() and the records count as never written; a failure to cut back
  // (or, with force_sync, to make the cut durable) is fatal.
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

  file_system& fs_;
  std::string dir_;
  int64_t prealloc_bytes_;
  bool force_sync_;
  std::unique_ptr<writable_file> file_;
  std::string path_;
  int64_t end_ = 0;       // where the next record goes
  int64_t allocated_ = 0; // the file's size: preallocated up to here
};

} // namespace paddock::store
