#pragma once
// What one measured run produced, whichever client made it (paddock-bench on its own
// event loop, paddock-bench-zkc on ZooKeeper's C library): report.cpp prints it the same way
// for both, so the scripts read either client's --json.
#include "tools/bench/histogram.hpp"

#include <cstdint>
#include <map>
#include <optional>

namespace paddock::bench {

// CPU used during the measured window (from the end of the warmup to the last reply),
// with the replies received in that same window, so "µs per op" divides like by like.
struct cpu_window {
  uint64_t window_ops = 0;            // replies received inside the window (all of them)
  double client_cpu_s = 0;            // this process, every thread
  std::optional<double> server_cpu_s; // --server-pids: those processes and descendants
  double window_s = 0;                // wall time between the two samples
  // The same two samples on the wall clock (Unix seconds), so that the scripts can tell what
  // happened on the servers inside the window (a snapshot being written, say).
  double window_start_unix = 0;
  double window_end_unix = 0;
};

struct results {
  uint64_t ops = 0;             // measured replies (to requests issued after warmup)
  uint64_t all_replies = 0;     // including warmup
  double seconds = 0;           // measured window: end of warmup to last measured reply
  uint64_t errors = 0;          // ZooKeeper error replies (warmup included)
  uint64_t verify_failures = 0; // replies whose body is not what the request implies
  std::map<int32_t, uint64_t> errors_by_code;
  latency_histogram latency;
  std::optional<cpu_window> cpu; // absent when the run never reached the end of its warmup
};

} // namespace paddock::bench
