#pragma once
// ZooKeeper's acceptedEpoch and currentEpoch files: one decimal number each, replaced
// atomically (tmp file, fsync, rename, directory fsync) so that a crash leaves the old value
// or the new one, never a torn one. ZAB's safety rests on a restarted server never going
// back in epochs.
#include "store/disk/file_system.hpp"
#include "store/disk/io_status.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace paddock::store {

// The value in `path`; nothing when the file does not exist; an error when it is unreadable
// or not a number.
struct epoch_read {
  io_status status;
  std::optional<int64_t> value;
};
epoch_read read_epoch_file(file_system& fs, const std::string& path);

io_status write_epoch_file(file_system& fs, const std::string& path, int64_t epoch);

} // namespace paddock::store
