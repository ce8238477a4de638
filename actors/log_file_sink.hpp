#pragma once
// The server's log file: an spdlog sink that rotates by size (paddock.log.maxFileSize,
// paddock.log.maxFiles) and reopens its path on request (SIGHUP, for logrotate's
// rename-then-signal). Rotation renames FILE.N-1 to FILE.N, ..., FILE to FILE.1 and starts an
// empty FILE; the oldest beyond maxFiles is overwritten by the rename.
#include <cstddef>
#include <mutex>
#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>
#include <string>

namespace paddock::actors {

// FILE.N: the name of the N-th rotated file (N >= 1; 0 is FILE itself).
std::string rotated_log_name(const std::string& path, std::size_t index);

class log_file_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  // Opens (appends to) `path`; throws spdlog::spdlog_ex when it cannot.
  log_file_sink(std::string path, std::size_t max_size, std::size_t max_files);

  // Closes the file and opens `path` again, creating it when it was renamed away.
  void reopen();

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

private:
  void rotate();

  std::string path_;
  std::size_t max_size_;
  std::size_t max_files_;
  std::size_t current_size_ = 0;
  spdlog::details::file_helper file_;
};

} // namespace paddock::actors
