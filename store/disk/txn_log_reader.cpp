#include "store/disk/txn_log_reader.hpp"

#include "store/disk/log_format.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace paddock::store {
namespace {

using log_format::parse_record;
using log_format::record_status;

constexpr size_t sector = 512;

// Preallocated segments are mostly zeros: check them a word at a time.
bool all_zero(std::string_view bytes) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    if (word != 0) return false;
    p += 8;
    n -= 8;
  }
  while (n-- > 0)
    if (*p++ != 0) return false;
  return true;
}

// Offset of the first valid record after `from` whose zxid is newer than `after`, or npos.
size_t find_later_record(std::string_view file, size_t from, int64_t after) {
  for (size_t pos = from; pos + log_format::record_header_size <= file.size(); ++pos) {
    if (file[pos] == 0 && file[pos + 1] == 0 && file[pos + 2] == 0 && file[pos + 3] == 0)
      continue; // a zero length: no record starts here
    auto r = parse_record(file.substr(pos));
    if (r.status == record_status::ok && r.zxid > after) return pos;
  }
  return std::string_view::npos;
}

// Whether [from, to) contains a whole 512-byte sector of zeros (aligned to the file).
bool has_zero_sector(std::string_view file, size_t from, size_t to) {
  for (size_t s = (from + sector - 1) / sector * sector; s + sector <= to; s += sector)
    if (all_zero(file.substr(s, sector))) return true;
  return false;
}

void give_back_tail(file_system& fs, const std::string& path, size_t size) {
  std::unique_ptr<writable_file> file;
  if (fs.open_for_write(path, open_mode::existing, file).ok())
    (void)file->truncate(static_cast<int64_t>(size));
}

} // namespace

io_status list_log_segments(file_system& fs, const std::string& dir,
                            std::vector<log_segment_file>& out) {
  out.clear();
  std::vector<std::string> names;
  if (auto st = fs.list(dir, names); !st.ok())
    return st.error == ENOENT ? io_status::success() : st;
  for (const auto& name : names) {
    int64_t zxid = 0;
    if (log_format::parse_segment_name(name, zxid)) out.push_back({zxid, dir + "/" + name});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.first_zxid < b.first_zxid; });
  return io_status::success();
}

log_replay_result replay_log(file_system& fs, const std::string& dir, int64_t after_zxid,
                             const std::function<bool(int64_t, std::string_view)>& apply,
                             bool repair) {
  log_replay_result result;
  result.last_zxid = after_zxid;
  int64_t previous = -1; // the last zxid seen in the log, -1 before the first record
  auto fail = [&](std::string message) {
    result.status = {EIO, std::move(message), true};
    return result;
  };
  std::vector<log_segment_file> segments;
  if (auto st = list_log_segments(fs, dir, segments); !st.ok()) return fail(st.message);
  std::string newest; // the newest segment, once read

  for (size_t i = 0; i < segments.size(); ++i) {
    const auto& seg = segments[i];
    const bool last = i + 1 == segments.size();
    // Every record of this segment precedes the next segment's first zxid.
    if (!last && segments[i + 1].first_zxid - 1 <= after_zxid) {
      previous = -1; // not read: continuity is checked from the first segment read
      continue;
    }
    std::string file;
    if (auto st = read_whole_file(fs, seg.path, file); !st.ok()) {
      st.fatal = true;
      result.status = st;
      return result;
    }
    int64_t header_zxid = 0;
    if (!log_format::parse_segment_header(file, header_zxid) || header_zxid != seg.first_zxid) {
      // A crash while a segment was created leaves it short or zero: no record was in it.
      if (last && (file.size() < log_format::segment_header_size || all_zero(file))) {
        if (repair) (void)fs.remove(seg.path);
        result.repaired =
            fmt::format("removed {} (an unfinished segment with no record)", seg.path);
        break;
      }
      return fail(fmt::format("{}: not a txn log segment (bad header)", seg.path));
    }

    if (last) newest = seg.path;
    size_t pos = log_format::segment_header_size;
    bool first_in_segment = true;
    while (true) {
      auto r = parse_record(std::string_view(file).substr(pos));
      if (r.status == record_status::ok) {
        if (first_in_segment && r.zxid != seg.first_zxid)
          return fail(fmt::format("{}: first record has zxid 0x{:x}, the name says 0x{:x}",
                                  seg.path, r.zxid, seg.first_zxid));
        if (previous >= 0 && !log_format::zxid_follows(previous, r.zxid))
          return fail(fmt::format("{} at offset {}: zxid 0x{:x} after 0x{:x}: a gap in the log",
                                  seg.path, pos, r.zxid, previous));
        if (r.zxid > after_zxid) {
          if (previous < after_zxid && !log_format::zxid_follows(after_zxid, r.zxid))
            return fail(fmt::format("{}: the log resumes at zxid 0x{:x} but the snapshot ends "
                                    "at 0x{:x}: txns in between are missing",
                                    seg.path, r.zxid, after_zxid));
          if (!apply(r.zxid, r.body))
            return fail(fmt::format("{} at offset {}: record of zxid 0x{:x} does not decode",
                                    seg.path, pos, r.zxid));
          ++result.replayed;
          result.last_zxid = r.zxid;
        }
        previous = r.zxid;
        first_in_segment = false;
        pos += r.size;
        continue;
      }
      // End of the data, or a bad record: is anything valid after it?
      if (r.status == record_status::end && all_zero(std::string_view(file).substr(pos))) {
        // Give back the preallocated tail: a closed segment keeps only its records. Not
        // synced: zeros that come back after a crash read as the end again.
        if (repair && file.size() > pos) give_back_tail(fs, seg.path, pos);
        break;
      }
      const int64_t newest_zxid = std::max(previous, after_zxid);
      auto later = find_later_record(file, pos + 1, newest_zxid);
      if (r.status == record_status::end && later == std::string_view::npos) break;
      bool torn = later == std::string_view::npos || has_zero_sector(file, pos, later);
      if (!last || !torn)
        return fail(fmt::format("{} at offset {}: corrupt record with valid records after it "
                                "(offset {}); refusing to start on a log with a hole",
                                seg.path, pos, later == std::string_view::npos ? pos : later));
      result.repaired = fmt::format("{}: cut a torn tail of {} bytes at offset {}", seg.path,
                                    file.size() - pos, pos);
      if (repair) {
        if (auto st = truncate_durably(fs, seg.path, static_cast<int64_t>(pos)); !st.ok())
          return fail(fmt::format("cannot cut the torn tail of {}: {}", seg.path, st.message));
      }
      break;
    }
  }
  // What recovery returns is served from now on, so it must survive a power loss: the
  // newest segment may hold records that only reached the page cache (its writer stopped
  // on a failed fsync, or the process died between a write and its fdatasync).
  if (repair && !newest.empty()) {
    std::unique_ptr<writable_file> file;
    auto st = fs.open_for_write(newest, open_mode::existing, file);
    if (st.ok()) st = file->sync_data();
    if (!st.ok()) return fail(fmt::format("cannot make {} durable: {}", newest, st.message));
  }
  return result;
}

} // namespace paddock::store
