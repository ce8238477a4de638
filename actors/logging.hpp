#pragma once
// The server's logger: standard error until zoo.cfg is read, then the log file when one is
// configured (paddock.log.file or --log-file), rotated by size and reopened on SIGHUP.
#include "config/log_config.hpp"

#include <memory>
#include <string>
#include <thread>

namespace paddock::actors {

class log_file_sink;

// The default logger, writing to standard error at `level` (a valid_log_level name).
void log_to_stderr(const std::string& level);

// While it lives, the default logger writes to the configured file, and SIGHUP reopens that
// file. The signal handler only writes a byte to a pipe; a thread of this object reads it and
// reopens, so nothing but write(2) runs in the handler.
class log_file {
public:
  // Throws spdlog::spdlog_ex when the file cannot be opened, std::system_error when the
  // pipe or the handler cannot be set up.
  explicit log_file(const config::log_settings& settings);
  ~log_file();
  log_file(const log_file&) = delete;
  log_file& operator=(const log_file&) = delete;

private:
  std::shared_ptr<log_file_sink> sink_;
  int pipe_read_ = -1;
  int pipe_write_ = -1;
  std::thread reopener_;
};

} // namespace paddock::actors
