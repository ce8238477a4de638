#include "actors/logging.hpp"

#include "actors/log_file_sink.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <system_error>
#include <unistd.h>

namespace paddock::actors {

namespace {

constexpr const char* logger_name = "paddock";
constexpr const char* line_pattern = "%Y-%m-%d %H:%M:%S.%e [%^%l%$] %v";
constexpr char reopen_byte = 'h';
constexpr char stop_byte = 'q';

// The pipe the SIGHUP handler writes to (-1: no log file, the signal is ignored).
std::atomic<int> sighup_pipe{-1};

void on_sighup(int) {
  const int saved = errno; // write(2) may set it under the interrupted code's feet
  if (int fd = sighup_pipe.load(); fd >= 0) {
    // Non-blocking: with the pipe full, a reopen is already pending and this one adds nothing.
    [[maybe_unused]] auto n = ::write(fd, &reopen_byte, 1);
  }
  errno = saved;
}

void install(std::shared_ptr<spdlog::logger> logger, const std::string& level) {
  logger->set_pattern(line_pattern);
  spdlog::set_default_logger(std::move(logger));
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

} // namespace

void log_to_stderr(const std::string& level) {
  spdlog::drop(logger_name);
  install(spdlog::stderr_color_mt(logger_name), level);
}

log_file::log_file(const config::log_settings& settings)
    : sink_(std::make_shared<log_file_sink>(settings.file,
                                            static_cast<std::size_t>(settings.max_file_size),
                                            static_cast<std::size_t>(settings.max_files))) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  pipe_read_ = fds[0];
  pipe_write_ = fds[1];
  ::fcntl(pipe_write_, F_SETFL, O_NONBLOCK);
  // The reopener blocks every signal, as it inherits this thread's mask when created.
  // SIGTERM and SIGINT must reach run_server's sigwait: a thread that did not block them,
  // started before run_server blocks them, would take one and the process would die of its
  // default action, unlogged and without a clean stop. SIGHUP's handler runs on another
  // thread, which makes no difference to it.
  sigset_t all_signals;
  sigset_t previous;
  sigfillset(&all_signals);
  ::pthread_sigmask(SIG_BLOCK, &all_signals, &previous);
  reopener_ = std::thread([this] {
    char byte = 0;
    for (;;) {
      auto n = ::read(pipe_read_, &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || byte == stop_byte) return;
      sink_->reopen();
      spdlog::info("log file reopened (SIGHUP)");
    }
  });
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  spdlog::drop(logger_name);
  install(std::make_shared<spdlog::logger>(logger_name, sink_), settings.level);
  sighup_pipe.store(pipe_write_);
  struct sigaction action {};
  action.sa_handler = on_sighup;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGHUP, &action, nullptr);
}

log_file::~log_file() {
  sighup_pipe.store(-1);
  // Blocking is fine here: the reader is alive, so one byte always fits eventually.
  ::fcntl(pipe_write_, F_SETFL, 0);
  [[maybe_unused]] auto n = ::write(pipe_write_, &stop_byte, 1);
  reopener_.join();
  spdlog::default_logger()->flush();
  ::close(pipe_read_);
  ::close(pipe_write_);
}

} // namespace paddock::actors
