#include "tools/bench/cpu_meter.hpp"

#include "tools/common/proc_stat.hpp"

#include <unistd.h>

namespace paddock::bench {

cpu_meter::cpu_meter(std::vector<int> server_pids) : server_pids_(std::move(server_pids)) {}

cpu_meter::sample cpu_meter::take() {
  sample s;
  s.at = std::chrono::steady_clock::now();
  s.wall = std::chrono::system_clock::now();
  auto table = tools::read_process_table();
  // The client's own threads only: its children (none) are not client work worth counting.
  for (const auto& p : table)
    if (p.pid == ::getpid()) s.client_ticks = p.utime + p.stime;
  if (server_pids_.empty()) return s;
  uint64_t servers = 0;
  for (int pid : server_pids_) {
    auto ticks = tools::tree_cpu_ticks(pid, table);
    if (!ticks) {
      if (warning_.empty()) warning_ = "server pid " + std::to_string(pid) + " not found in /proc";
      return s;
    }
    servers += *ticks;
  }
  s.server_ticks = servers;
  return s;
}

void cpu_meter::start() {
  if (started_) return;
  started_ = true;
  start_ = take();
}

std::optional<cpu_window> cpu_meter::stop(uint64_t window_ops) {
  if (!started_) return std::nullopt;
  auto end = take();
  const double tick = 1.0 / tools::clock_ticks_per_second();
  cpu_window w;
  w.window_ops = window_ops;
  w.window_s = std::chrono::duration<double>(end.at - start_.at).count();
  auto unix_s = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
  };
  w.window_start_unix = unix_s(start_.wall);
  w.window_end_unix = unix_s(end.wall);
  w.client_cpu_s = static_cast<double>(end.client_ticks - start_.client_ticks) * tick;
  if (start_.server_ticks && end.server_ticks && *end.server_ticks >= *start_.server_ticks)
    w.server_cpu_s = static_cast<double>(*end.server_ticks - *start_.server_ticks) * tick;
  return w;
}

} // namespace paddock::bench
