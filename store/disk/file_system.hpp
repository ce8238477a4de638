#pragma once
// The file operations persistence needs, behind one interface (LevelDB's Env in spirit), so
// that tests can make any of them fail on purpose. Everything in store/disk that touches a
// file goes through it: the txn log writer (segments, preallocation, fdatasync), its reader
// and recovery, truncation (ZAB's TRUNC and SNAP), snapshots, epoch files and purging.
// The server uses posix_file_system; tests use fault_injecting_file_system (an in-memory
// disk that knows what was made durable, and fails where it is told to).
//
// Errors are values (io_status: the errno and what was being done); the caller decides.
// Paths are plain strings, "<dir>/<name>"; nothing here follows or makes anything but the
// path it is given.
#include "store/disk/io_status.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::store {

// A file open for writing. Closing it (destroying it) syncs nothing.
class writable_file {
public:
  virtual ~writable_file() = default;
  // Writes `bytes` at `offset` (pwrite). May write fewer bytes than asked — a short write is
  // not an error: `written` says how many went in, and the caller writes the rest (see
  // write_fully) or gives up.
  virtual io_status write_at(int64_t offset, std::string_view bytes, size_t& written) = 0;
  // fdatasync: the data and what is needed to read it back (the size).
  virtual io_status sync_data() = 0;
  // fsync: the data and every attribute.
  virtual io_status sync() = 0;
  // Sets the size (ftruncate); a shrink needs no space.
  virtual io_status truncate(int64_t size) = 0;
  // Reserves [offset, offset + length) (fallocate, mode 0): the size grows, the new bytes
  // read as zeros, and later writes there need no new space.
  virtual io_status preallocate(int64_t offset, int64_t length) = 0;
  virtual const std::string& path() const = 0;
};

// A file open for reading.
class readable_file {
public:
  virtual ~readable_file() = default;
  // Reads up to `n` bytes at `offset` into `buf`; `got` is 0 at the end of the file.
  virtual io_status read_at(int64_t offset, char* buf, size_t n, size_t& got) = 0;
  virtual io_status size(int64_t& out) = 0;
  virtual const std::string& path() const = 0;
};

enum class open_mode {
  create_or_truncate, // a new empty file, or an existing one cut to zero (O_CREAT | O_TRUNC)
  existing,           // the file must exist; its contents stay
};

class file_system {
public:
  virtual ~file_system() = default;
  virtual io_status open_for_write(const std::string& path, open_mode mode,
                                   std::unique_ptr<writable_file>& out) = 0;
  // A missing file is an error with `error` == ENOENT.
  virtual io_status open_for_read(const std::string& path, std::unique_ptr<readable_file>& out) = 0;
  // Replaces `to` atomically (rename(2)); durable once the directory is synced.
  virtual io_status rename(const std::string& from, const std::string& to) = 0;
  virtual io_status remove(const std::string& path) = 0;
  // fsync of a directory: the files created, renamed or removed in it survive a crash.
  virtual io_status sync_directory(const std::string& dir) = 0;
  // The names (not paths) of the files in `dir`, in no order. A missing directory is an
  // error with `error` == ENOENT.
  virtual io_status list(const std::string& dir, std::vector<std::string>& names) = 0;
  // Creates `dir` and every missing parent; an existing directory is fine.
  virtual io_status create_directories(const std::string& dir) = 0;
};

// Writes all of `bytes` at `offset`, going on after short writes; a write that makes no
// progress is ENOSPC. On failure, some prefix of `bytes` may be in the file.
io_status write_fully(writable_file& file, int64_t offset, std::string_view bytes);

// The whole of a file in memory.
io_status read_whole_file(file_system& fs, const std::string& path, std::string& out);

// Opens `path` (which must exist), sets its size and syncs it (fdatasync), so that the cut
// survives a crash.
io_status truncate_durably(file_system& fs, const std::string& path, int64_t size);

// The directory part of a path ("." when there is none).
std::string parent_directory(const std::string& path);

} // namespace paddock::store
