// bucketed_summary: quantiles within a bucket's width of the exact ones, values that were
// observed, the sliding window of ZooKeeper's provider, cumulative sum and count.
#include "actors/metrics/bucketed_summary.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

using paddock::actors::metrics::bucketed_summary;
using namespace std::chrono_literals;

namespace {
const auto t0 = bucketed_summary::clock::time_point{} + 1000h;

double quantile(const bucketed_summary::snapshot& s, double q) {
  for (const auto& [at, value] : s.quantiles)
    if (at == q) return value;
  FAIL("no such quantile");
  return 0;
}
} // namespace

TEST_CASE("buckets: one per unit below 256, then 128 per power of two, in order") {
  CHECK(bucketed_summary::bucket_of(0) == 0);
  CHECK(bucketed_summary::bucket_of(255) == 255);
  CHECK(bucketed_summary::bucket_of(256) == 256);
  CHECK(bucketed_summary::bucket_of(257) == 256); // 256 and 257 share a bucket of width 2
  CHECK(bucketed_summary::bucket_of(258) == 257);
  CHECK(bucketed_summary::bucket_of(512) == 384);
  std::size_t last = 0;
  for (uint64_t u = 1; u < (uint64_t{1} << 24); u = u * 17 / 16 + 1) {
    const auto b = bucketed_summary::bucket_of(u);
    CHECK(b >= last);
    last = b;
    const auto floor = bucketed_summary::bucket_floor(b);
    CHECK(floor <= u);
    CHECK(static_cast<double>(u - floor) <= static_cast<double>(u) / 128.0);
    CHECK(bucketed_summary::bucket_of(floor) == b);
  }
}

TEST_CASE("integer milliseconds give exact quantiles, and sum and count are exact") {
  bucketed_summary s({0.5, 0.9, 0.99});
  for (int v = 1; v <= 100; ++v)
    s.observe(v, t0);
  auto r = s.read(t0);
  CHECK(r.count == 100);
  CHECK(r.sum == 5050);
  CHECK(quantile(r, 0.5) == 50);
  CHECK(quantile(r, 0.9) == 90);
  CHECK(quantile(r, 0.99) == 99);
}

TEST_CASE("spread values: each quantile is within 1 % of the exact one") {
  bucketed_summary s({0.5, 0.9, 0.99});
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> latency(1.0, 1.5);
  std::vector<double> seen;
  for (int i = 0; i < 20000; ++i) {
    const double v = latency(random);
    seen.push_back(v);
    s.observe(v, t0);
  }
  std::sort(seen.begin(), seen.end());
  auto r = s.read(t0);
  for (double q : {0.5, 0.9, 0.99}) {
    const double exact = seen[static_cast<std::size_t>(std::ceil(q * seen.size())) - 1];
    CHECK(std::abs(quantile(r, q) - exact) <= exact * 0.01 + 0.001);
  }
}

TEST_CASE("an empty window reads NaN, and old slices leave the window while sum and count stay") {
  bucketed_summary s({0.5}, 10min, 5);
  CHECK(std::isnan(quantile(s.read(t0), 0.5)));
  s.observe(3, t0);
  CHECK(quantile(s.read(t0 + 5min), 0.5) == 3);
  s.observe(7, t0 + 5min);
  s.observe(7, t0 + 5min);
  CHECK(quantile(s.read(t0 + 5min), 0.5) == 7);
  // 10 minutes later the first observation is out of the window, the others still in.
  auto later = s.read(t0 + 10min + 2min);
  CHECK(quantile(later, 0.5) == 7);
  CHECK(later.count == 3);
  CHECK(later.sum == 17);
  // Much later, a new observation reuses a slice: nothing old is counted with it.
  s.observe(1, t0 + 60min);
  auto last = s.read(t0 + 60min);
  CHECK(quantile(last, 0.5) == 1);
  CHECK(std::isnan(quantile(s.read(t0 + 80min), 0.5)));
}

TEST_CASE("negative values count as 0 in the quantiles and as themselves in the sum") {
  bucketed_summary s({0.5});
  s.observe(-2, t0);
  auto r = s.read(t0);
  CHECK(quantile(r, 0.5) == 0);
  CHECK(r.sum == -2);
}
