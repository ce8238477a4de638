#include "store/disk/log_truncate.hpp"

#include "store/disk/log_format.hpp"
#include "store/disk/txn_log_reader.hpp"

#include <string_view>

namespace paddock::store {
namespace {

// Removes one segment and makes the removal durable before anything else changes.
io_status remove_durably(file_system& fs, const std::string& dir, const std::string& path) {
  if (auto st = fs.remove(path); !st.ok()) return st;
  return fs.sync_directory(dir);
}

} // namespace

// Newest first, each step durable before the next: a crash part way leaves the log a prefix
// of what it was. (Cutting the segment that holds `zxid` first would let a crash leave it
// cut with later segments still there: a hole recovery refuses to start on.)
io_status truncate_log_after(file_system& fs, const std::string& dir, int64_t zxid) {
  std::vector<log_segment_file> segments;
  if (auto st = list_log_segments(fs, dir, segments); !st.ok()) return st;
  for (auto seg = segments.rbegin(); seg != segments.rend(); ++seg) {
    if (seg->first_zxid > zxid) {
      if (auto st = remove_durably(fs, dir, seg->path); !st.ok()) return st;
      continue;
    }
    // The segment that may hold `zxid`: keep its records up to it. Older segments end
    // before this one starts, so nothing after `zxid` is in them.
    std::string file;
    if (auto st = read_whole_file(fs, seg->path, file); !st.ok()) return st;
    size_t pos = log_format::segment_header_size;
    while (pos < file.size()) {
      auto r = log_format::parse_record(std::string_view(file).substr(pos));
      if (r.status != log_format::record_status::ok || r.zxid > zxid) break;
      pos += r.size;
    }
    if (pos < file.size()) return truncate_durably(fs, seg->path, static_cast<int64_t>(pos));
    break;
  }
  return io_status::success();
}

io_status remove_log(file_system& fs, const std::string& dir) {
  std::vector<log_segment_file> segments;
  if (auto st = list_log_segments(fs, dir, segments); !st.ok()) return st;
  for (auto seg = segments.rbegin(); seg != segments.rend(); ++seg)
    if (auto st = remove_durably(fs, dir, seg->path); !st.ok()) return st;
  return io_status::success();
}

} // namespace paddock::store
