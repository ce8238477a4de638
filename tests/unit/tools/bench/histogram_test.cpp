// paddock-bench's latency histogram: bucket boundaries and quantiles within its stated 1/128.
#include "tools/bench/histogram.hpp"

#include <catch2/catch.hpp>

using paddock::bench::latency_histogram;

TEST_CASE("histogram buckets are contiguous and cover every value exactly once",
          "[bench][histogram]") {
  // Every bucket starts one past where the previous one ended.
  for (size_t i = 1; i < latency_histogram::bucket_count; ++i)
    REQUIRE(latency_histogram::lowest_in_bucket(i) ==
            latency_histogram::highest_in_bucket(i - 1) + 1);
  // A value lands in the bucket whose bounds contain it, at every scale.
  for (uint64_t v :
       {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{255}, uint64_t{256},
        uint64_t{1000}, uint64_t{123456789}, uint64_t{1} << 40, ~uint64_t{0}}) {
    auto i = latency_histogram::index_of(v);
    REQUIRE(i < latency_histogram::bucket_count);
    REQUIRE(latency_histogram::lowest_in_bucket(i) <= v);
    REQUIRE(v <= latency_histogram::highest_in_bucket(i));
  }
}

TEST_CASE("histogram bucket width stays within 1/128 of the value", "[bench][histogram]") {
  for (size_t i = latency_histogram::sub_count; i + 1 < latency_histogram::bucket_count; ++i) {
    auto lo = latency_histogram::lowest_in_bucket(i);
    auto hi = latency_histogram::highest_in_bucket(i);
    REQUIRE(static_cast<double>(hi - lo + 1) / static_cast<double>(lo) <= 1.0 / 128 + 1e-12);
  }
}

TEST_CASE("histogram quantiles of a uniform sample", "[bench][histogram]") {
  latency_histogram h;
  REQUIRE(h.value_at_quantile(0.5) == 0);
  for (uint64_t v = 1; v <= 100000; ++v)
    h.record(v * 1000); // 1 us .. 100 ms in ns
  REQUIRE(h.count() == 100000);
  REQUIRE(h.min() == 1000);
  REQUIRE(h.max() == 100000000);
  REQUIRE(h.mean() == Approx(50000500.0));
  auto within = [](uint64_t got, double want) {
    return static_cast<double>(got) >= want && static_cast<double>(got) <= want * (1 + 1.0 / 128);
  };
  CHECK(within(h.value_at_quantile(0.5), 50000000.0));
  CHECK(within(h.value_at_quantile(0.99), 99000000.0));
  CHECK(within(h.value_at_quantile(0.999), 99900000.0));
  CHECK(h.value_at_quantile(1.0) == h.max());
  CHECK(h.value_at_quantile(0.0) >= 1000);
}

TEST_CASE("histogram never reports a quantile above the maximum", "[bench][histogram]") {
  latency_histogram h;
  h.record(1000001); // lands in a bucket whose top is above it
  REQUIRE(h.value_at_quantile(0.5) == 1000001);
  REQUIRE(h.value_at_quantile(0.999) == 1000001);
}

TEST_CASE("merged histograms answer as one that recorded every sample", "[bench][histogram]") {
  latency_histogram odd, even, all;
  for (uint64_t v = 1; v <= 20000; ++v) {
    (v % 2 ? odd : even).record(v * 997);
    all.record(v * 997);
  }
  latency_histogram merged;
  merged.merge(odd);
  merged.merge(latency_histogram{}); // an empty one changes nothing
  merged.merge(even);
  REQUIRE(merged.count() == all.count());
  CHECK(merged.min() == all.min());
  CHECK(merged.max() == all.max());
  CHECK(merged.mean() == Approx(all.mean()));
  for (double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0})
    CHECK(merged.value_at_quantile(q) == all.value_at_quantile(q));
}
