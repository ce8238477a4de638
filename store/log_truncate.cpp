#include "store/log_truncate.hpp"

#include "store/log_format.hpp"
#include "store/txn_log_reader.hpp"
#include "store/txn_log_writer.hpp" // sync_directory

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace paddock::store {
namespace {

io_status cut_and_sync(const std::string& path, size_t length) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return io_status::from_errno(errno, "open " + path);
  io_status st;
  if (::ftruncate(fd, static_cast<off_t>(length)) != 0)
    st = io_status::from_errno(errno, "truncate " + path);
  else if (::fsync(fd) != 0)
    st = io_status::from_errno(errno, "fsync " + path);
  ::close(fd);
  return st;
}

} // namespace

io_status truncate_log_after(const std::string& dir, int64_t zxid) {
  bool changed = false;
  for (const auto& seg : list_log_segments(dir)) {
    if (seg.first_zxid > zxid) {
      if (::unlink(seg.path.c_str()) != 0) return io_status::from_errno(errno, "remove " + seg.path);
      changed = true;
      continue;
    }
    // This segment may hold records after `zxid`: keep the records up to it.
    std::string file;
    if (auto st = read_whole_file(seg.path, file); !st.ok()) return st;
    size_t pos = log_format::segment_header_size;
    while (pos < file.size()) {
      auto r = log_format::parse_record(std::string_view(file).substr(pos));
      if (r.status != log_format::record_status::ok || r.zxid > zxid) break;
      pos += r.size;
    }
    if (pos < file.size()) {
      if (auto st = cut_and_sync(seg.path, pos); !st.ok()) return st;
      changed = true;
    }
  }
  return changed ? sync_directory(dir) : io_status::success();
}

io_status remove_log(const std::string& dir) {
  auto segments = list_log_segments(dir);
  for (const auto& seg : segments)
    if (::unlink(seg.path.c_str()) != 0) return io_status::from_errno(errno, "remove " + seg.path);
  return segments.empty() ? io_status::success() : sync_directory(dir);
}

} // namespace paddock::store
