#pragma once
// CPU time of processes as Linux accounts it in /proc/PID/stat, for the benches' "server CPU
// per op". A server's CPU is its own (every thread: utime + stime) plus that of its
// descendants: the live ones read directly, the reaped ones through the parent's cutime +
// cstime (Linux adds a child's total there when the parent waits for it). Paddock's snapshots
// ran in a forked child before issue 14 (none now), ZooKeeper's JVM forks none; counting
// descendants keeps any two builds comparable. Sampled twice, the difference is the CPU spent in
// between, whether a child was live at either sample or not.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace paddock::tools {

struct proc_times {
  int pid = 0;
  int ppid = 0;
  // Clock ticks (sysconf(_SC_CLK_TCK) per second).
  uint64_t utime = 0;
  uint64_t stime = 0;
  uint64_t cutime = 0; // reaped children, user
  uint64_t cstime = 0; // reaped children, system
  uint64_t total() const { return utime + stime + cutime + cstime; }
};

// One /proc/PID/stat line. The command name (field 2) is in parentheses and may itself
// contain spaces and parentheses: the fields after it are found from the last ')'.
std::optional<proc_times> parse_proc_stat(std::string_view line);

// Ticks of `root` and every descendant of it in `table` (each counted with its reaped
// children); nullopt when `root` is not in the table.
std::optional<uint64_t> tree_cpu_ticks(int root, const std::vector<proc_times>& table);

// Every process's /proc/PID/stat that could be read (processes may vanish meanwhile).
std::vector<proc_times> read_process_table();

double clock_ticks_per_second();

} // namespace paddock::tools
