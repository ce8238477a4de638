#pragma once
// A file system for tests: in memory, with a model of what is durable, that fails where a
// test tells it to (LevelDB's fault-injection Env in spirit).
//
// Durability model (the strict reading of POSIX, the one code must be written against):
// - A file's bytes are durable once a sync (fsync or fdatasync) of it succeeds; a failed
//   sync makes nothing durable.
// - A directory entry (a file created, renamed in, removed) is durable once the directory
//   is synced. Directories themselves are always durable.
// - crash(): every file goes back to its durable bytes and every directory to its durable
//   entries — what was never synced is gone. crash(n) first lets up to n of each file's
//   unsynced bytes reach the disk anyway, in the order they were written (a torn write).
//
// Faults, each armed for a number of calls or bytes from now:
// - fail(op, errno): a chosen call of one operation fails (EIO on a sync, a failing rename,
//   a failing directory sync, ...), optionally only for paths containing some text;
// - set_space(n): ENOSPC after exactly n more bytes written (the write that reaches the
//   limit is short: it writes what fits), and on a preallocation larger than what is left;
// - short_write_after(n): the write that reaches the n-th byte stops there, without an
//   error (the caller must write the rest);
// - crash_after(n): the power goes at the n-th mutating call from now.
//
// Not thread-safe: one thread at a time (a test hands it to an actor's thread through a
// message, which orders the accesses). It must outlive every file opened on it.
#include "store/disk/file_system.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace paddock::store {

class fault_injecting_file_system final : public file_system {
public:
  // The operations a fault can be planned for. sync_data and sync are both `sync`.
  enum class op : uint8_t {
    open_write,
    open_read,
    write,
    sync,
    truncate,
    preallocate,
    read,
    rename,
    remove,
    sync_directory,
    list,
    create_directories,
  };

  fault_injecting_file_system();
  ~fault_injecting_file_system() override;

  // file_system
  io_status open_for_write(const std::string& path, open_mode mode,
                           std::unique_ptr<writable_file>& out) override;
  io_status open_for_read(const std::string& path, std::unique_ptr<readable_file>& out) override;
  io_status rename(const std::string& from, const std::string& to) override;
  io_status remove(const std::string& path) override;
  io_status sync_directory(const std::string& dir) override;
  io_status list(const std::string& dir, std::vector<std::string>& names) override;
  io_status create_directories(const std::string& dir) override;

  // Faults. The call of `o` after `skip` more calls of it (0: the next one) fails with
  // `error`; only calls on a path containing `path_part` count. With `sticky`, every later
  // call of `o` on such a path fails too. One plan per operation: a new one replaces it.
  void fail(op o, int error, uint64_t skip = 0, std::string path_part = {}, bool sticky = false);
  // Room for `bytes` more bytes of writes, counted over every write_at whatever the file or
  // offset: the write that reaches the limit writes what fits, every later one fails with
  // ENOSPC; so does a preallocation of more than is left (which takes none of it).
  // Nothing (the default): no limit.
  void set_space(std::optional<int64_t> bytes);
  // The write that reaches the `bytes`-th byte written from now stops there and reports
  // the shorter count, without an error; later writes are whole again.
  void short_write_after(int64_t bytes);
  // Every plan, the space limit and a pending short write are forgotten.
  void clear_faults();

  // Crashes. Power loss now: the files become what the model says survives (above); every
  // call fails with EIO until restart(), and files opened before stay dead after it.
  void crash(size_t keep_unsynced_bytes = 0);
  // Power loss at the start of the mutating call (any but open_read, read and list) that
  // comes after `skip` more of them: that call and every one after it fail with EIO.
  void crash_after(uint64_t skip, size_t keep_unsynced_bytes = 0);
  // Power back on, with what the crash left on disk.
  void restart();
  bool crashed() const { return crashed_; }

  // For tests to look at and to damage. What a read returns now ("" when missing).
  bool exists(const std::string& path) const;
  std::string contents(const std::string& path) const;
  // Every file's path, sorted.
  std::vector<std::string> files() const;
  // Replaces or creates `path` (and its directories) with `bytes`, already durable.
  void put_file(const std::string& path, const std::string& bytes);
  // Calls so far, for a test to learn how many points of failure an action has.
  uint64_t calls(op o) const;
  uint64_t mutating_calls() const { return mutating_calls_; }
  uint64_t bytes_written() const { return bytes_written_; }
  // Bytes written since their file's last sync, over every file: crash(unsynced_bytes())
  // keeps every unsynced write but no truncation that came after the last of them (pages
  // written back before the power went, metadata not).
  size_t unsynced_bytes() const;

private:
  struct change {
    bool is_write = false; // a write at `offset`, or the size set to `offset`
    int64_t offset = 0;
    std::string bytes;
  };
  struct inode {
    std::string data;            // what reads see (the page cache)
    std::string durable;         // what a crash leaves
    std::vector<change> pending; // changes since the last sync, in order
  };
  struct plan {
    bool armed = false;
    int error = 0;
    uint64_t skip = 0;
    std::string path_part;
    bool sticky = false;
  };
  class writable;
  class readable;
  friend class writable;
  friend class readable;

  // Counts the call, applies a planned crash or fault: not ok means the call fails.
  io_status enter(op o, const std::string& path);
  io_status check_handle(uint64_t generation, op o, const std::string& path);
  // The part of a write of `n` bytes the disk takes now (a short write or no room).
  io_status take_room(const std::string& path, size_t& n);
  static void sync_inode(inode& node);
  bool directory_exists(const std::string& dir) const;

  std::map<std::string, std::shared_ptr<inode>> entries_;         // path -> file, as seen now
  std::map<std::string, std::shared_ptr<inode>> durable_entries_; // as a crash leaves them
  std::set<std::string> directories_;
  std::map<op, plan> plans_;
  std::map<op, uint64_t> calls_;
  std::optional<int64_t> space_;
  std::optional<int64_t> short_write_in_;
  std::optional<uint64_t> crash_in_;
  size_t crash_keeps_ = 0;
  bool crashed_ = false;
  uint64_t generation_ = 0; // files opened under an older one died in a crash
  uint64_t mutating_calls_ = 0;
  uint64_t bytes_written_ = 0;
};

} // namespace paddock::store
