#pragma once
// The file system the server runs on: each call is the system call of the same name
// (pwrite, fdatasync, fsync, ftruncate, fallocate, rename, unlink, fsync of a directory),
// retried on EINTR and nothing else. It keeps no state, so one instance serves every thread
// (and a forked child).
#include "store/disk/file_system.hpp"

namespace paddock::store {

class posix_file_system final : public file_system {
public:
  io_status open_for_write(const std::string& path, open_mode mode,
                           std::unique_ptr<writable_file>& out) override;
  io_status open_for_read(const std::string& path, std::unique_ptr<readable_file>& out) override;
  io_status rename(const std::string& from, const std::string& to) override;
  io_status remove(const std::string& path) override;
  io_status sync_directory(const std::string& dir) override;
  io_status list(const std::string& dir, std::vector<std::string>& names) override;
  io_status create_directories(const std::string& dir) override;
};

} // namespace paddock::store
