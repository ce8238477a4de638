#include "store/txn_log_writer.hpp"

#include "store/log_format.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace paddock::store {

io_status io_status::from_errno(int err, const std::string& what) {
  return {err == 0 ? EIO : err, what + ": " + std::strerror(err == 0 ? EIO : err)};
}

io_status sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_status::from_errno(errno, "open directory " + dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_status::from_errno(err, "fsync directory " + dir);
  return io_status::success();
}

txn_log_writer::txn_log_writer(std::string dir, int64_t prealloc_bytes, bool force_sync)
    : dir_(std::move(dir)), prealloc_bytes_(prealloc_bytes), force_sync_(force_sync) {}

txn_log_writer::~txn_log_writer() {
  close_segment();
}

void txn_log_writer::close_segment() {
  if (fd_ < 0) return;
  // Give back the preallocated space past the last record; failing that, the zeros stay.
  if (allocated_ > end_) (void)::ftruncate(fd_, static_cast<off_t>(end_));
  ::close(fd_);
  fd_ = -1;
}

io_status txn_log_writer::start_segment(int64_t first_zxid) {
  close_segment();
  path_ = dir_ + "/" + log_format::segment_name(first_zxid);
  // O_TRUNC: a segment of this name can only be one created before a crash that never
  // received a record (its first zxid is the next one to be written).
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return io_status::from_errno(errno, "create " + path_);
  end_ = 0;
  allocated_ = 0;
  auto header = log_format::segment_header(first_zxid);
  auto st = write(header);
  if (st.ok() && force_sync_) {
    if (::fdatasync(fd_) != 0) return io_status::fatal_errno(errno, "fdatasync " + path_);
    st = sync_directory(dir_);
    st.fatal = !st.ok();
  }
  if (!st.ok() && !st.fatal) {
    // No record was ever in it: drop the file so the next batch starts the segment again.
    close_segment();
    ::unlink(path_.c_str());
  }
  return st;
}

io_status txn_log_writer::preallocate(int64_t needed_end) {
  if (needed_end <= allocated_ || prealloc_bytes_ <= 0) return io_status::success();
  // Grow in preAllocSize steps so that fdatasync flushes file-size metadata once per step,
  // not on every batch. Without space to preallocate, writes go on without it (and fail
  // themselves if the disk is really full).
  int64_t target = allocated_;
  while (target < needed_end)
    target += prealloc_bytes_;
  if (::fallocate(fd_, 0, allocated_, target - allocated_) == 0) {
    allocated_ = target;
    prealloc_warned_ = false;
    return io_status::success();
  }
  auto st = io_status::from_errno(errno, "preallocate " + path_);
  if (errno != ENOSPC && errno != EDQUOT && errno != EOPNOTSUPP) return st;
  return io_status::success();
}

io_status txn_log_writer::write(std::string_view records) {
  if (fd_ < 0) return io_status::from_errno(EBADF, "write to a closed txn log");
  (void)preallocate(end_ + static_cast<int64_t>(records.size()));
  size_t done = 0;
  while (done < records.size()) {
    auto n = ::pwrite(fd_, records.data() + done, records.size() - done,
                      static_cast<off_t>(end_ + static_cast<int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto st = io_status::from_errno(n < 0 ? errno : ENOSPC, "write " + path_);
      // Cut off whatever part of the batch did reach the file. Shrinking needs no space.
      if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0)
        return io_status::fatal_errno(errno, "truncate " + path_ + " after a failed write");
      allocated_ = end_;
      return st;
    }
    done += static_cast<size_t>(n);
  }
  end_ += static_cast<int64_t>(records.size());
  allocated_ = std::max(allocated_, end_);
  return io_status::success();
}

io_status txn_log_writer::sync() {
  if (!force_sync_) return io_status::success();
  if (fd_ < 0) return io_status::from_errno(EBADF, "fdatasync a closed txn log");
  if (::fdatasync(fd_) != 0) return io_status::fatal_errno(errno, "fdatasync " + path_);
  return io_status::success();
}

} // namespace paddock::store
