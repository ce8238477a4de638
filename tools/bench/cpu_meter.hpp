#pragma once
// Samples CPU time at the two ends of a bench's measured window: this process's (the client)
// and, when --server-pids names them, the servers' (each with its descendants, summed; see
// tools/common/proc_stat.hpp). Both clients use it, so their CPU figures mean the same.
#include "tools/bench/results.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace paddock::bench {

class cpu_meter {
public:
  explicit cpu_meter(std::vector<int> server_pids);

  // Call once, at the end of the warmup; later calls do nothing.
  void start();
  bool started() const { return started_; }

  // The CPU spent since start(), with the replies counted in the window. nullopt if start()
  // was never called. A server that is gone at either sample leaves server_cpu_s empty and
  // says so in warning().
  std::optional<cpu_window> stop(uint64_t window_ops);
  const std::string& warning() const { return warning_; }

private:
  struct sample {
    std::chrono::steady_clock::time_point at;
    std::chrono::system_clock::time_point wall;
    uint64_t client_ticks = 0;
    std::optional<uint64_t> server_ticks;
  };
  sample take();

  std::vector<int> server_pids_;
  bool started_ = false;
  sample start_;
  std::string warning_;
};

} // namespace paddock::bench
