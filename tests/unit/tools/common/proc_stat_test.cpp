// /proc/PID/stat parsing and the CPU of a process tree (the benches' server CPU per op).
#include "tools/common/proc_stat.hpp"

#include <catch2/catch.hpp>
#include <ctime>
#include <unistd.h>

using namespace paddock::tools;

namespace {

// A line in the kernel's format: pid (comm) state ppid ... utime(14) stime(15) cutime(16)
// cstime(17) ..., here with a command name that has spaces and parentheses in it.
constexpr const char* java_line =
    "4242 (java (x) y) S 17 4242 17 0 -1 4194560 500 0 0 0 1234 567 89 10 20 0 57 0 "
    "100 5000000 30000 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0\n";

} // namespace

TEST_CASE("a stat line gives pid, ppid and the four CPU counters", "[tools][proc_stat]") {
  auto t = parse_proc_stat(java_line);
  REQUIRE(t);
  CHECK(t->pid == 4242);
  CHECK(t->ppid == 17);
  CHECK(t->utime == 1234);
  CHECK(t->stime == 567);
  CHECK(t->cutime == 89);
  CHECK(t->cstime == 10);
  CHECK(t->total() == 1234 + 567 + 89 + 10);
}

TEST_CASE("malformed stat lines are refused", "[tools][proc_stat]") {
  CHECK_FALSE(parse_proc_stat(""));
  CHECK_FALSE(parse_proc_stat("12 (x"));
  CHECK_FALSE(parse_proc_stat("12 (x) S 1 2 3")); // cut short
  CHECK_FALSE(parse_proc_stat("x (y) S 1 1 1 0 -1 0 0 0 0 0 1 1 1 1 20 0 1 0"));
  CHECK_FALSE(parse_proc_stat("12 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 -1 1 20 0 1 0"));
}

TEST_CASE("a tree's CPU is its own plus every live descendant's", "[tools][proc_stat]") {
  std::vector<proc_times> table{
      {1, 0, 100, 100, 0, 0},   // init: not in the tree
      {10, 1, 50, 20, 5, 5},    // the server (5 + 5 from a reaped snapshot child)
      {11, 10, 7, 3, 0, 0},     // a live child
      {12, 11, 1, 1, 0, 0},     // and its child
      {20, 1, 1000, 1000, 0, 0} // someone else
  };
  auto ticks = tree_cpu_ticks(10, table);
  REQUIRE(ticks);
  CHECK(*ticks == 80 + 10 + 2);
  CHECK(tree_cpu_ticks(12, table) == 2u);
  CHECK_FALSE(tree_cpu_ticks(99, table));
}

TEST_CASE("this process shows up in the table and its CPU grows", "[tools][proc_stat]") {
  auto mine = [] { return tree_cpu_ticks(::getpid(), read_process_table()); };
  auto before = mine();
  REQUIRE(before);
  // Spin until the kernel's own per-process clock says 300 ms of CPU went by (however busy
  // the machine is), then the table must show at least most of it.
  auto cpu_now = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  auto start = cpu_now();
  volatile uint64_t sink = 0;
  while (cpu_now() - start < 0.3)
    sink = sink + 1;
  auto after = mine();
  REQUIRE(after);
  CHECK(*after - *before >= static_cast<uint64_t>(0.2 * clock_ticks_per_second()));
}
