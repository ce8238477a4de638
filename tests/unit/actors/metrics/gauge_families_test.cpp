// The /metrics gauges are mntr's numeric figures, named as ZooKeeper's provider names them,
// and the text prometheus-cpp makes of them is ZooKeeper's exposition of a gauge.
#include "actors/metrics/gauge_families.hpp"
#include "actors/metrics/server_metrics.hpp"

#include <catch2/catch.hpp>
#include <prometheus/text_serializer.h>

using namespace paddock;
using namespace paddock::actors::metrics;

TEST_CASE("numeric monitor values become gauges named as the key, words are left out") {
  std::vector<admin::monitor_value> values = {{"version", std::string("3.8.0")},
                                              {"server_state", std::string("leader")},
                                              {"znode_count", int64_t{12}},
                                              {"avg_latency", 0.25},
                                              {"learners", int64_t{2}}};
  auto families = gauge_families(values);
  REQUIRE(families.size() == 3);
  CHECK(families[0].name == "znode_count");
  CHECK(families[0].help == "znode_count");
  CHECK(families[0].type == prometheus::MetricType::Gauge);
  REQUIRE(families[0].metric.size() == 1);
  CHECK(families[0].metric[0].gauge.value == 12);
  CHECK(families[0].metric[0].label.empty());
  CHECK(families[1].name == "avg_latency");
  CHECK(families[1].metric[0].gauge.value == 0.25);
  CHECK(families[2].name == "learners");
}

TEST_CASE("digest_mismatches_count, a counter in ZooKeeper, is exported as one") {
  auto families = gauge_families({{"digest_mismatches_count", int64_t{3}},
                                  {"tree_digest", std::string("123456789012")},
                                  {"tree_digest_zxid", int64_t{7}}});
  REQUIRE(families.size() == 2); // the digest itself is text: an identity, not a quantity
  CHECK(families[0].type == prometheus::MetricType::Counter);
  CHECK(prometheus::TextSerializer().Serialize({families[0]}) ==
        "# HELP digest_mismatches_count digest_mismatches_count\n"
        "# TYPE digest_mismatches_count counter\ndigest_mismatches_count 3\n");
  CHECK(families[1].name == "tree_digest_zxid");
  CHECK(families[1].type == prometheus::MetricType::Gauge);
}

TEST_CASE("the exposition of a gauge is ZooKeeper's: HELP and TYPE lines, no prefix") {
  auto text =
      prometheus::TextSerializer().Serialize({gauge_family("znode_count", "znode_count", 5)});
  CHECK(text == "# HELP znode_count znode_count\n# TYPE znode_count gauge\nznode_count 5\n");
}

TEST_CASE("summaries carry ZooKeeper's quantiles, counters keep their bare name") {
  server_metrics m;
  m.updatelatency.Observe(2);
  m.fsynctime.Observe(1);
  m.commit_count.Increment(3);
  auto families = m.registry()->Collect();
  for (auto& f : m.summaries()->Collect())
    families.push_back(std::move(f));
  auto text = prometheus::TextSerializer().Serialize(families);
  CHECK(text.find("# TYPE updatelatency summary\n") != std::string::npos);
  CHECK(text.find("updatelatency{quantile=\"0.5\"} 2\n") != std::string::npos);
  CHECK(text.find("updatelatency{quantile=\"0.9\"} 2\n") != std::string::npos);
  CHECK(text.find("updatelatency{quantile=\"0.99\"} 2\n") != std::string::npos);
  CHECK(text.find("updatelatency_count 1\n") != std::string::npos);
  CHECK(text.find("updatelatency_sum 2\n") != std::string::npos);
  // BASIC summaries have the median only.
  CHECK(text.find("fsynctime{quantile=\"0.5\"} 1\n") != std::string::npos);
  CHECK(text.find("fsynctime{quantile=\"0.9\"}") == std::string::npos);
  CHECK(text.find("# TYPE commit_count counter\ncommit_count 3\n") != std::string::npos);
}

TEST_CASE("size_stats is ZooKeeper's BufferStats: -1 until the first size") {
  size_stats s;
  CHECK(s.last() == -1);
  CHECK(s.min() == -1);
  CHECK(s.max() == -1);
  s.record(98);
  s.record(48);
  s.record(120);
  CHECK(s.last() == 120);
  CHECK(s.min() == 48);
  CHECK(s.max() == 120);
}
