#pragma once
// A latency histogram in the spirit of HdrHistogram: log-bucketed with 128 linear
// sub-buckets per power of two, so every recorded value is kept to within 1/128 (0.8%) of
// itself, in fixed memory (~58 KiB), with O(1) recording. Values are nanoseconds.
// Header-only so the unit tests can check it without linking the bench.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace paddock::bench {

class latency_histogram {
public:
  static constexpr int sub_bits = 7;
  static constexpr uint64_t sub_count = uint64_t{1} << sub_bits;
  static constexpr size_t bucket_count = sub_count + (64 - sub_bits) * sub_count;

  void record(uint64_t value) {
    ++counts_[index_of(value)];
    ++total_;
    sum_ += static_cast<double>(value);
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }

  // Adds every sample of `other`, as if recorded here (paddock-bench-zkc keeps one histogram
  // per session thread and merges them at the end).
  void merge(const latency_histogram& other) {
    if (other.total_ == 0) return;
    for (size_t i = 0; i < bucket_count; ++i)
      counts_[i] += other.counts_[i];
    total_ += other.total_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  uint64_t count() const { return total_; }
  uint64_t min() const { return total_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return total_ == 0 ? 0.0 : sum_ / static_cast<double>(total_); }

  // The smallest recorded-equivalent value v such that a fraction q of samples are <= v
  // (q in [0, 1]), reported as the top of its bucket and never above the true maximum.
  uint64_t value_at_quantile(double q) const {
    if (total_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
    rank = std::max<uint64_t>(rank, 1);
    uint64_t seen = 0;
    for (size_t i = 0; i < bucket_count; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(highest_in_bucket(i), max_);
    }
    return max_;
  }

  // Values below sub_count have a bucket each; above, bucket = (exponent, top 8 bits).
  static size_t index_of(uint64_t v) {
    if (v < sub_count) return static_cast<size_t>(v);
    int e = std::bit_width(v) - 1; // >= sub_bits
    int shift = e - sub_bits;
    uint64_t mantissa = v >> shift; // in [sub_count, 2 * sub_count)
    return static_cast<size_t>(sub_count * static_cast<uint64_t>(shift + 1) +
                               (mantissa - sub_count));
  }

  static uint64_t lowest_in_bucket(size_t i) {
    if (i < sub_count) return i;
    uint64_t shift = i / sub_count - 1;
    uint64_t mantissa = sub_count + i % sub_count;
    return mantissa << shift;
  }

  static uint64_t highest_in_bucket(size_t i) {
    if (i < sub_count) return i;
    uint64_t shift = i / sub_count - 1;
    uint64_t mantissa = sub_count + i % sub_count;
    // The last bucket reaches the top of uint64_t: avoid overflowing the shift.
    if (i + 1 == bucket_count) return std::numeric_limits<uint64_t>::max();
    return ((mantissa + 1) << shift) - 1;
  }

private:
  std::array<uint64_t, bucket_count> counts_{};
  uint64_t total_ = 0;
  double sum_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
  uint64_t max_ = 0;
};

} // namespace paddock::bench
