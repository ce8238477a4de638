#pragma once
// What tells that a file changed, for certificate reloads (client TLS and the quorum's): its
// inode (a file replaced by rename), size and modification time.
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace paddock::actors {

struct file_stamp {
  ino_t inode = 0;
  off_t size = -1; // -1: the file could not be read
  int64_t mtime_ns = 0;
  bool operator==(const file_stamp&) const = default;
};

file_stamp stamp_of(const std::string& path);

} // namespace paddock::actors
