#pragma once
// paddock-bench-zkc's three phases, the same work as paddock-bench's (tools/bench/workload.hpp)
// on the same znodes (tools/bench/znodes.hpp):
//   setup    create the keys get/set/mixed use (NodeExists is fine), through the sessions on
//            the first server only,
//   measure  the workload, latency recorded per request issued after the warmup,
//   cleanup  delete the keys and what the create workload made (NoNode is fine).
// Phases are called from many threads (zk_session.hpp): shared counters are atomics, the
// rest is kept per session and merged at the end.
#include "tools/bench-zkc/zk_session.hpp"
#include "tools/bench/options.hpp"
#include "tools/bench/results.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace paddock::bench::zkc {

// Counts failures other than the ones a phase accepts, keeping the first error code.
class failure_count {
public:
  void add(int rc);
  uint64_t count() const { return count_.load(); }
  int first() const { return first_.load(); }

private:
  std::atomic<uint64_t> count_{0};
  std::atomic<int> first_{0};
};

class setup_phase : public zk_phase {
public:
  explicit setup_phase(const options& opt);
  bool next(size_t session, zk_request& out, clock::time_point now) override;
  void done(size_t session, const zk_reply& reply, clock::time_point now) override;
  const failure_count& failures() const { return failures_; }

private:
  const options& opt_;
  std::string value_;
  std::atomic<uint64_t> next_key_{0};
  failure_count failures_;
};

class measure_phase : public zk_phase {
public:
  // `session_ids[i]` names session i's created znodes, as paddock-bench's.
  measure_phase(const options& opt, std::vector<int64_t> session_ids, clock::time_point start);
  bool next(size_t session, zk_request& out, clock::time_point now) override;
  void done(size_t session, const zk_reply& reply, clock::time_point now) override;

  clock::time_point warmup_end() const { return warmup_end_; }
  // Replies received at or after the end of the warmup, by every session (the CPU window).
  uint64_t window_ops() const;
  // Merges every session's figures; call once the phase is over.
  results finish();
  // How many nodes each session's create workload issued (cleanup deletes them).
  std::vector<uint64_t> created() const;

private:
  struct per_session {
    std::mt19937_64 rng;
    uint64_t created = 0;
    uint64_t window_ops = 0;
    clock::time_point last_reply;
    results figures;
  };

  const options& opt_;
  std::vector<int64_t> session_ids_;
  std::string value_;
  clock::time_point warmup_end_;
  std::optional<clock::time_point> end_;
  std::atomic<uint64_t> measured_issued_{0};
  std::vector<per_session> sessions_;
};

class cleanup_phase : public zk_phase {
public:
  cleanup_phase(const options& opt, std::vector<int64_t> session_ids,
                std::vector<uint64_t> created);
  bool next(size_t session, zk_request& out, clock::time_point now) override;
  void done(size_t session, const zk_reply& reply, clock::time_point now) override;
  const failure_count& failures() const { return failures_; }

private:
  const options& opt_;
  std::vector<int64_t> session_ids_;
  std::vector<uint64_t> created_;
  std::vector<uint64_t> deleted_; // per session: how many of its created nodes went out
  std::atomic<uint64_t> next_key_{0};
  failure_count failures_;
};

} // namespace paddock::bench::zkc
