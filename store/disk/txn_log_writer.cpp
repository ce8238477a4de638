#include "store/disk/txn_log_writer.hpp"

#include "store/disk/log_format.hpp"

#include <algorithm>
#include <cerrno>

namespace paddock::store {

txn_log_writer::txn_log_writer(file_system& fs, std::string dir, int64_t prealloc_bytes,
                               bool force_sync)
    : fs_(fs), dir_(std::move(dir)), prealloc_bytes_(prealloc_bytes), force_sync_(force_sync) {}

txn_log_writer::~txn_log_writer() {
  close_segment();
}

void txn_log_writer::close_segment() {
  if (!file_) return;
  // Give back the preallocated space past the last record; failing that, the zeros stay.
  if (allocated_ > end_) (void)file_->truncate(end_);
  file_.reset();
}

io_status txn_log_writer::start_segment(int64_t first_zxid) {
  close_segment();
  path_ = dir_ + "/" + log_format::segment_name(first_zxid);
  // Truncating: a segment of this name can only be one created before a crash (or a failed
  // write) that never received a record (its first zxid is the next one to be written).
  if (auto st = fs_.open_for_write(path_, open_mode::create_or_truncate, file_); !st.ok())
    return st;
  end_ = 0;
  allocated_ = 0;
  auto header = log_format::segment_header(first_zxid);
  auto st = write(header);
  if (st.ok() && force_sync_) {
    st = file_->sync_data();
    if (st.ok()) st = fs_.sync_directory(dir_);
    st.fatal = !st.ok();
  }
  if (!st.ok() && !st.fatal) {
    // No record was ever in it: drop the file so the next batch starts the segment again.
    close_segment();
    (void)fs_.remove(path_);
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
  auto st = file_->preallocate(allocated_, target - allocated_);
  if (st.ok()) allocated_ = target;
  return st;
}

io_status txn_log_writer::write(std::string_view records) {
  if (!file_) return io_status::from_errno(EBADF, "write to a closed txn log");
  (void)preallocate(end_ + static_cast<int64_t>(records.size()));
  if (auto st = write_fully(*file_, end_, records); !st.ok()) {
    // Cut off whatever part of the batch did reach the file (shrinking needs no space), and
    // make the cut durable: pages of the failed batch may already be on their way to the
    // disk, and a crash must not bring back records whose clients were told they failed.
    auto cut = file_->truncate(end_);
    if (cut.ok() && force_sync_) cut = file_->sync_data();
    if (!cut.ok()) {
      cut.fatal = true;
      cut.message += " (cutting back a failed write: " + st.message + ")";
      return cut;
    }
    allocated_ = end_;
    return st;
  }
  end_ += static_cast<int64_t>(records.size());
  allocated_ = std::max(allocated_, end_);
  return io_status::success();
}

io_status txn_log_writer::sync() {
  if (!force_sync_) return io_status::success();
  if (!file_) return io_status::from_errno(EBADF, "fdatasync a closed txn log");
  auto st = file_->sync_data();
  st.fatal = !st.ok();
  return st;
}

} // namespace paddock::store
