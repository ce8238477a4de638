#include "actors/log_file_sink.hpp"

#include <cstdio>
#include <utility>

namespace paddock::actors {

std::string rotated_log_name(const std::string& path, std::size_t index) {
  return index == 0 ? path : path + "." + std::to_string(index);
}

log_file_sink::log_file_sink(std::string path, std::size_t max_size, std::size_t max_files)
    : path_(std::move(path)), max_size_(max_size), max_files_(max_files) {
  file_.open(path_, false);
  current_size_ = file_.size();
}

void log_file_sink::reopen() {
  std::lock_guard<std::mutex> lock(mutex_);
  file_.flush();
  file_.reopen(false);
  current_size_ = file_.size();
}

void log_file_sink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  // A line longer than the limit still goes into a file of its own rather than nowhere.
  if (current_size_ > 0 && current_size_ + formatted.size() > max_size_) rotate();
  file_.write(formatted);
  current_size_ += formatted.size();
}

void log_file_sink::flush_() {
  file_.flush();
}

void log_file_sink::rotate() {
  file_.close();
  for (std::size_t i = max_files_; i > 0; --i) {
    const auto from = rotated_log_name(path_, i - 1);
    // A missing FILE.N (fewer rotations so far) is not an error; any other failure leaves
    // that file where it is, and the current one is truncated below all the same, so that the
    // log never grows past its bound.
    std::rename(from.c_str(), rotated_log_name(path_, i).c_str());
  }
  file_.reopen(true);
  current_size_ = 0;
}

} // namespace paddock::actors
