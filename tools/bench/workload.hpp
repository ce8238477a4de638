#pragma once
// The bench's three phases over the sessions of an event_loop:
//   setup    create the keys get/set/mixed use (NodeExists is fine: a kept earlier run),
//            through the sessions on the first server only (main.cpp then waits until
//            every other server has them),
//   measure  the workload itself, latency recorded per request after the warmup,
//   cleanup  delete what setup and the create workload made (NoNode is fine).
#include "tools/bench/cpu_meter.hpp"
#include "tools/bench/event_loop.hpp"
#include "tools/bench/options.hpp"
#include "tools/bench/results.hpp"
#include "tools/bench/znodes.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace paddock::bench {

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

// The CPU meter starts when the phase first sees the clock past the warmup and stops in
// finish(); every reply in between counts in the CPU window's ops.
class measure_phase : public phase {
public:
  measure_phase(const options& opt, event_loop& loop, cpu_meter& cpu, clock::time_point start);
  bool next(size_t index, outgoing& out, clock::time_point now) override;
  void done(size_t index, const pipelined_session::completion& reply,
            clock::time_point now) override;
  results finish();
  // How many nodes each session's create workload issued (cleanup deletes them).
  const std::vector<uint64_t>& created() const { return created_; }

private:
  void note_time(clock::time_point now);

  const options& opt_;
  event_loop& loop_;
  cpu_meter& cpu_;
  uint64_t window_ops_ = 0;
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
