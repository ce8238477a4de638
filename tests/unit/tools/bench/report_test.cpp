// The one --json line both bench clients print: the fields the scripts read.
#include "tools/bench/report.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using namespace paddock::bench;

namespace {

results sample_results() {
  results r;
  r.ops = 4000;
  r.all_replies = 4500;
  r.seconds = 2.0;
  r.errors = 3;
  r.errors_by_code[-101] = 3;
  for (uint64_t v = 1; v <= 4000; ++v)
    r.latency.record(2000000); // 2 ms each: every percentile is exactly the maximum
  return r;
}

std::string json_of(const results& r) {
  options opt;
  opt.workload = workload::set;
  std::ostringstream os;
  print_json(os, opt, r);
  return os.str();
}

} // namespace

TEST_CASE("the json line has throughput, percentiles and errors", "[bench][report]") {
  auto line = json_of(sample_results());
  CHECK(line.back() == '\n');
  CHECK(line.find("\"workload\":\"set\"") != std::string::npos);
  CHECK(line.find("\"ops_per_sec\":2000.0") != std::string::npos);
  CHECK(line.find("\"p50_us\":2000.0") != std::string::npos);
  CHECK(line.find("\"p99_us\":2000.0") != std::string::npos);
  CHECK(line.find("\"p999_us\":2000.0") != std::string::npos);
  CHECK(line.find("\"errors\":3") != std::string::npos);
  CHECK(line.find("\"errors_by_name\":{\"NoNode\":3}") != std::string::npos);
  // No window measured: no CPU fields at all, rather than zeros that look like figures.
  CHECK(line.find("cpu") == std::string::npos);
}

TEST_CASE("the json line divides CPU by the replies of its window", "[bench][report]") {
  auto r = sample_results();
  r.cpu = cpu_window{5000, 0.5, std::nullopt, 2.0, 1700000000.25, 1700000002.25};
  auto client_only = json_of(r);
  CHECK(client_only.find("\"window_ops\":5000") != std::string::npos);
  CHECK(client_only.find("\"window_start_unix\":1700000000.250") != std::string::npos);
  CHECK(client_only.find("\"window_end_unix\":1700000002.250") != std::string::npos);
  CHECK(client_only.find("\"client_cpu_us_per_op\":100.00") != std::string::npos);
  CHECK(client_only.find("server_cpu") == std::string::npos);
  r.cpu->server_cpu_s = 0.25;
  auto both = json_of(r);
  CHECK(both.find("\"server_cpu_s\":0.250") != std::string::npos);
  CHECK(both.find("\"server_cpu_us_per_op\":50.00") != std::string::npos);
  CHECK(both.substr(both.size() - 2) == "}\n");
}
