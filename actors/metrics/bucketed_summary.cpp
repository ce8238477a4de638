#include "actors/metrics/bucketed_summary.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace paddock::actors::metrics {

namespace {

constexpr uint64_t exact_below = 256; // one bucket per unit below this
constexpr int mantissa_bits = 7;      // 128 buckets per power of two above it
constexpr uint64_t largest_units = uint64_t{1} << 62;

uint64_t units_of(double value) {
  if (!(value > 0)) return 0; // negative and NaN
  const double units = std::round(value * 1000.0);
  if (units >= static_cast<double>(largest_units)) return largest_units;
  return static_cast<uint64_t>(units);
}

} // namespace

std::size_t bucketed_summary::bucket_of(uint64_t units) {
  if (units < exact_below) return static_cast<std::size_t>(units);
  const int exponent = std::bit_width(units) - 1;                // >= 8
  const uint64_t mantissa = units >> (exponent - mantissa_bits); // in [128, 256)
  return static_cast<std::size_t>(exact_below + (exponent - 8) * (uint64_t{1} << mantissa_bits) +
                                  (mantissa - (uint64_t{1} << mantissa_bits)));
}

uint64_t bucketed_summary::bucket_floor(std::size_t bucket) {
  if (bucket < exact_below) return bucket;
  const uint64_t k = bucket - exact_below;
  const uint64_t exponent = k / (uint64_t{1} << mantissa_bits) + 8;
  const uint64_t mantissa = k % (uint64_t{1} << mantissa_bits) + (uint64_t{1} << mantissa_bits);
  return mantissa << (exponent - mantissa_bits);
}

bucketed_summary::bucketed_summary(std::vector<double> quantiles, clock::duration window,
                                   int slices)
    : quantiles_(std::move(quantiles)), slice_length_(window / std::max(1, slices)),
      slices_(static_cast<std::size_t>(std::max(1, slices))) {}

int64_t bucketed_summary::epoch_of(clock::time_point now) const {
  return static_cast<int64_t>(now.time_since_epoch() / slice_length_);
}

bucketed_summary::slice& bucketed_summary::current(clock::time_point now) {
  const int64_t epoch = epoch_of(now);
  auto& s = slices_[static_cast<std::size_t>(epoch % static_cast<int64_t>(slices_.size()))];
  if (s.epoch != epoch) {
    std::fill(s.counts.begin(), s.counts.end(), 0);
    std::fill(s.max_values.begin(), s.max_values.end(), 0.0);
    s.epoch = epoch;
  }
  return s;
}

void bucketed_summary::observe(double value, clock::time_point now) {
  const std::size_t b = bucket_of(units_of(value));
  std::lock_guard lock(mutex_);
  ++count_;
  sum_ += value;
  auto& s = current(now);
  if (b >= s.counts.size()) {
    s.counts.resize(b + 1, 0);
    s.max_values.resize(b + 1, 0.0);
  }
  ++s.counts[b];
  s.max_values[b] = std::max(s.max_values[b], std::max(value, 0.0));
}

bucketed_summary::snapshot bucketed_summary::read(clock::time_point now) const {
  snapshot out;
  std::vector<uint64_t> counts;
  std::vector<double> max_values;
  {
    std::lock_guard lock(mutex_);
    out.count = count_;
    out.sum = sum_;
    const int64_t newest = epoch_of(now);
    const int64_t oldest = newest - static_cast<int64_t>(slices_.size()) + 1;
    for (const auto& s : slices_) {
      if (s.epoch < oldest || s.epoch > newest) continue;
      if (s.counts.size() > counts.size()) {
        counts.resize(s.counts.size(), 0);
        max_values.resize(s.counts.size(), 0.0);
      }
      for (std::size_t b = 0; b < s.counts.size(); ++b) {
        counts[b] += s.counts[b];
        if (s.counts[b] != 0) max_values[b] = std::max(max_values[b], s.max_values[b]);
      }
    }
  }
  uint64_t in_window = 0;
  for (auto c : counts)
    in_window += c;
  for (double q : quantiles_) {
    double value = std::numeric_limits<double>::quiet_NaN();
    if (in_window != 0) {
      // The smallest value with at least q of the window's observations at or below it.
      const auto rank = std::max<uint64_t>(
          1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(in_window))));
      uint64_t seen = 0;
      for (std::size_t b = 0; b < counts.size(); ++b) {
        seen += counts[b];
        if (seen >= rank) {
          value = max_values[b];
          break;
        }
      }
    }
    out.quantiles.emplace_back(q, value);
  }
  return out;
}

} // namespace paddock::actors::metrics
