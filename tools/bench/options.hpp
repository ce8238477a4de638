#pragma once
// The settings of both bench clients (paddock-bench, paddock-bench-zkc), filled in from the
// command line by command_line.cpp.
#include "tools/bench/preload_spec.hpp"
#include "tools/common/net.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::bench {

enum class workload { create, set, get, mixed };

std::optional<workload> parse_workload(std::string_view name);
std::string_view workload_name(workload w);
// get, set and mixed read and write pre-created keys; create makes its own nodes.
inline bool uses_keys(workload w) {
  return w != workload::create;
}

struct options {
  // Session i connects to servers[i % servers.size()]; the root and the keys are created
  // through servers.front().
  std::vector<tools::endpoint> servers{{"127.0.0.1", 2181}};
  size_t sessions = 16;
  size_t outstanding = 16;
  bench::workload workload = workload::get;
  double duration_s = 10; // 0: no time limit (then --ops bounds the run)
  uint64_t ops = 0;       // 0: no count limit
  double warmup_s = 1;
  size_t value_size = 100;
  size_t key_space = 1000;
  std::string root = "/paddock-bench";
  bool json = false;
  bool keep = false;
  bool allow_errors = false;
  int32_t session_timeout_ms = 30000;
  uint64_t seed = 1;
  // CPU of these processes (and their descendants) over the measured window: the servers.
  std::vector<int> server_pids;
  // paddock-bench --hold: fill a tree, hold idle sessions with watches; no workload is run.
  std::optional<preload_spec> hold;
};

// "h1:p1,h2:p2": every server, in --server's order, for reports.
std::string servers_text(const options& opt);

} // namespace paddock::bench
