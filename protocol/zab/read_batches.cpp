#include "protocol/zab/read_batches.hpp"

namespace paddock::zab {

read_batches::ticket read_batches::add() {
  if (!running_) {
    running_ = true;
    return {++last_, true};
  }
  next_wanted_ = true;
  return {last_ + 1, false};
}

std::optional<uint64_t> read_batches::finish() {
  running_ = false;
  if (!next_wanted_) return std::nullopt;
  next_wanted_ = false;
  running_ = true;
  return ++last_;
}

void read_batches::reset() {
  running_ = false;
  next_wanted_ = false;
}

std::optional<uint64_t> read_batches::in_flight() const {
  if (!running_) return std::nullopt;
  return last_;
}

} // namespace paddock::zab
