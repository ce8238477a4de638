#include "protocol/client/flow_control.hpp"

#include <algorithm>

namespace paddock::client {

flow_limits flow_limits::for_max_buffer(int32_t max_buffer, int32_t outstanding_limit) {
  flow_limits limits;
  const auto frame = static_cast<size_t>(std::max(max_buffer, 0)) + 1024;
  limits.output_low_water = std::max(limits.output_low_water, frame);
  limits.output_high_water =
      std::max(limits.output_high_water, limits.output_low_water + 2 * frame);
  limits.output_hard_cap = std::max(limits.output_hard_cap,
                                    limits.output_high_water + limits.max_reads_in_flight * frame);
  if (outstanding_limit > 0) limits.max_queued_requests = static_cast<size_t>(outstanding_limit);
  return limits;
}

output_backlog::change output_backlog::on_flushed(size_t queued, size_t unsent) {
  if (tracking_) {
    pending_ += queued;
  } else if (unsent > 0) {
    // The transport is still writing earlier bytes: follow it from now on. What it is
    // writing is not counted until its first acknowledgement says how much is left.
    tracking_ = true;
    pending_ = unsent;
  }
  return settle();
}

output_backlog::change output_backlog::on_written(size_t remaining) {
  if (!tracking_) return change::none;
  pending_ = remaining;
  if (pending_ == 0) tracking_ = false;
  return settle();
}

output_backlog::change output_backlog::settle() {
  if (pending_ >= limits_->output_hard_cap) return change::over_hard_cap;
  if (!congested_ && pending_ >= limits_->output_high_water) {
    congested_ = true;
    return change::congested;
  }
  if (congested_ && pending_ <= limits_->output_low_water) {
    congested_ = false;
    return change::cleared;
  }
  return change::none;
}

bool request_window::update_reading(size_t queued) {
  const bool want =
      reading_ ? queued < limits_->max_queued_requests : queued <= limits_->max_queued_requests / 2;
  if (want == reading_) return false;
  reading_ = want;
  return true;
}

size_t read_sizer::after_read(size_t n) {
  if (current_ == small) {
    if (n < small) return 0;
    current_ = large;
    small_reads_ = 0;
    return current_;
  }
  if (n >= small) {
    small_reads_ = 0;
    return 0;
  }
  if (++small_reads_ < small_reads_to_shrink) return 0;
  current_ = small;
  return current_;
}

} // namespace paddock::client
