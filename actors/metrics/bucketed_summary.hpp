#pragma once
// A Prometheus summary (quantiles over a sliding window, cumulative _sum and _count) that
// costs O(1) per observation, for the summaries observed once per request or per txn
// (readlatency, updatelatency, propagation_latency, quorum_ack_latency,
// commit_propagation_latency). prometheus-cpp's Summary runs a CKMS estimator in each of
// its five age buckets: every observation is inserted five times into sorted sample vectors
// (memmove of the whole tail), which cost a third of a leader's CPU under a write load.
//
// Here an observation increments one counter: values are kept in log-linear buckets of
// 1/128 relative width (below 256 units of 1/1000, one bucket per unit), each remembering
// the largest value it saw in its time slice. A quantile answers the largest value of the
// bucket holding that rank: a value that was observed, within 0.8 % of the exact quantile
// (exact for integer milliseconds up to 128). The window is ZooKeeper's provider's (the Java
// client's): 10 minutes in 5 slices; a slice older than the window is cleared before reuse.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace paddock::actors::metrics {

class bucketed_summary {
public:
  using clock = std::chrono::steady_clock;

  explicit bucketed_summary(std::vector<double> quantiles,
                            clock::duration window = std::chrono::minutes(10), int slices = 5);

  // Thread-safe; negative values count as 0 in the quantiles (their sum stays exact).
  void Observe(double value) { observe(value, clock::now()); }
  void observe(double value, clock::time_point now);

  struct snapshot {
    uint64_t count = 0; // every observation since the start
    double sum = 0;
    std::vector<std::pair<double, double>> quantiles; // (q, value); NaN for an empty window
  };
  snapshot read() const { return read(clock::now()); }
  snapshot read(clock::time_point now) const;

  // The bucket of a value in units of 1/1000, and the first such value in a bucket: exposed
  // for the tests of the bucketing.
  static std::size_t bucket_of(uint64_t units);
  static uint64_t bucket_floor(std::size_t bucket);

private:
  struct slice {
    int64_t epoch = -1;             // which slice of time it holds (now / slice length)
    std::vector<uint64_t> counts;   // by bucket
    std::vector<double> max_values; // by bucket: the largest value seen
  };
  slice& current(clock::time_point now);
  int64_t epoch_of(clock::time_point now) const;

  const std::vector<double> quantiles_;
  const clock::duration slice_length_;
  mutable std::mutex mutex_;
  std::vector<slice> slices_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

} // namespace paddock::actors::metrics
