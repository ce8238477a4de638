#pragma once
// The bench's three phases over the sessions of an event_loop:
//   setup    create the keys get/set/mixed use (NodeExists is fine: a kept earlier run),
//            through the sessions on the first server only (main.cpp then waits until
//            every other server has them),
//   measure  the workload itself, latency recorded per request after the warmup,
//   cleanup  delete what setup and the create workload made (NoNode is fine).
#include "tools/bench/event_loop.hpp"
#include "tools/bench/histogram.hpp"
#include "tools/bench/options.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace paddock::bench {

std::string key_path(const options& opt, size_t key);
std::string created_path(const options& opt, int64_t session_id, uint64_t n);

class setup_phase : public phase {
public:
  explicit setup_phase(const options& opt);
  bool next(size_t index, outgoing& out, clock::time_point now) override;
  void done(size_t index, const pipelined_session::completion& reply,
            clock::time_point now) override;
  uint64_t failures() const { return failures_; }
  int32_t first_error() const { return first_error_; }

private:
  const options& opt_;
  std::string value_;
  size_t next_key_ = 0;
  uint64_t failures_ = 0;
  int32_t first_error_ = 0;
};

struct results {
  uint64_t ops = 0;             // measured replies (after warmup)
  uint64_t all_replies = 0;     // including warmup
  double seconds = 0;           // measured window: end of warmup to last measured reply
  uint64_t errors = 0;          // ZooKeeper error replies (warmup included)
  uint64_t verify_failures = 0; // replies whose body is not what the request implies
  std::map<int32_t, uint64_t> errors_by_code;
  latency_histogram latency;
};

class measure_phase : public phase {
public:
  measure_phase(const options& opt, event_loop& loop, clock::time_point start);
  bool next(size_t index, outgoing& out, clock::time_point now) override;
  void done(size_t index, const pipelined_session::completion& reply,
            clock::time_point now) override;
  results finish();
  // How many nodes each session's create workload issued (cleanup deletes them).
  const std::vector<uint64_t>& created() const { return created_; }

private:
  const options& opt_;
  event_loop& loop_;
  std::string value_;
  clock::time_point warmup_end_;
  std::optional<clock::time_point> end_;
  uint64_t measured_issued_ = 0;
  clock::time_point last_reply_;
  std::vector<uint64_t> created_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<size_t> key_dist_;
  std::uniform_int_distribution<int> percent_;
  results results_;
};

class cleanup_phase : public phase {
public:
  cleanup_phase(const options& opt, event_loop& loop, std::vector<uint64_t> created);
  bool next(size_t index, outgoing& out, clock::time_point now) override;
  void done(size_t index, const pipelined_session::completion& reply,
            clock::time_point now) override;
  uint64_t failures() const { return failures_; }
  int32_t first_error() const { return first_error_; }

private:
  const options& opt_;
  event_loop& loop_;
  std::vector<uint64_t> created_;
  size_t next_key_ = 0;
  size_t next_session_ = 0; // whose created nodes are being deleted
  uint64_t next_created_ = 0;
  uint64_t failures_ = 0;
  int32_t first_error_ = 0;
};

} // namespace paddock::bench
