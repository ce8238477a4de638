// The command line paddock-bench and paddock-bench-zkc share: defaults, values, refusals.
#include "tools/bench/command_line.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <vector>

using namespace paddock::bench;

namespace {

struct run {
  parsed_command_line parsed;
  std::string out, err;
};

run parse(bench_client client, std::vector<std::string> args) {
  args.insert(args.begin(), "bench");
  std::vector<const char*> argv;
  for (auto& a : args)
    argv.push_back(a.c_str());
  std::ostringstream out, err;
  auto parsed = parse_command_line(client, static_cast<int>(argv.size()), argv.data(), out, err);
  return {std::move(parsed), out.str(), err.str()};
}

} // namespace

TEST_CASE("both clients have the same defaults", "[bench][command_line]") {
  for (auto client : {bench_client::paddock_bench, bench_client::zkc}) {
    auto r = parse(client, {});
    REQUIRE_FALSE(r.parsed.exit_status);
    const auto& o = r.parsed.opt;
    REQUIRE(o.servers.size() == 1);
    CHECK(paddock::tools::to_string(o.servers[0]) == "127.0.0.1:2181");
    CHECK(o.sessions == 16);
    CHECK(o.outstanding == 16);
    CHECK(o.workload == workload::get);
    CHECK(o.duration_s == 10);
    CHECK(o.warmup_s == 1);
    CHECK(o.value_size == 100);
    CHECK(o.key_space == 1000);
    CHECK(o.root == "/paddock-bench");
    CHECK(o.server_pids.empty());
    CHECK_FALSE(o.hold);
    CHECK_FALSE(o.json);
  }
}

TEST_CASE("every shared option lands in its field", "[bench][command_line]") {
  for (auto client : {bench_client::paddock_bench, bench_client::zkc}) {
    auto r = parse(client, {"--server",
                            "h1:1,h2:2,h3:3",
                            "--workload",
                            "mixed",
                            "--sessions",
                            "128",
                            "--outstanding",
                            "64",
                            "--duration",
                            "8",
                            "--warmup",
                            "2",
                            "--value-size",
                            "10",
                            "--key-space",
                            "50",
                            "--root",
                            "/x",
                            "--session-timeout",
                            "5000",
                            "--seed",
                            "9",
                            "--server-pids",
                            "100,200,300",
                            "--json",
                            "--keep",
                            "--allow-errors"});
    REQUIRE_FALSE(r.parsed.exit_status);
    const auto& o = r.parsed.opt;
    CHECK(o.servers.size() == 3);
    CHECK(o.workload == workload::mixed);
    CHECK(o.sessions == 128);
    CHECK(o.outstanding == 64);
    CHECK(o.duration_s == 8);
    CHECK(o.warmup_s == 2);
    CHECK(o.value_size == 10);
    CHECK(o.key_space == 50);
    CHECK(o.root == "/x");
    CHECK(o.session_timeout_ms == 5000);
    CHECK(o.seed == 9);
    CHECK(o.server_pids == std::vector<int>{100, 200, 300});
    CHECK(o.json);
    CHECK(o.keep);
    CHECK(o.allow_errors);
  }
}

TEST_CASE("the ops option alone runs exactly that many requests", "[bench][command_line]") {
  auto r = parse(bench_client::zkc, {"--ops", "500"});
  REQUIRE_FALSE(r.parsed.exit_status);
  CHECK(r.parsed.opt.ops == 500);
  CHECK(r.parsed.opt.duration_s == 0);
  auto both = parse(bench_client::zkc, {"--ops", "500", "--duration", "3"});
  CHECK(both.parsed.opt.duration_s == 3);
}

TEST_CASE("usage errors exit 2 and say why", "[bench][command_line]") {
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{"--workload", "scan"},
                                             {"--sessions", "0"},
                                             {"--server", "h1:1,,h2:2"},
                                             {"--root", "/"},
                                             {"--root", "relative"},
                                             {"--duration", "0"},
                                             {"--server-pids", "12,x"},
                                             {"--server-pids", "0"},
                                             {"--no-such-option"}}) {
    auto r = parse(bench_client::paddock_bench, bad);
    INFO(bad.front());
    REQUIRE(r.parsed.exit_status);
    CHECK(*r.parsed.exit_status == exit_usage);
    CHECK_FALSE(r.err.empty());
  }
}

TEST_CASE("help and version requests exit 0", "[bench][command_line]") {
  auto help = parse(bench_client::zkc, {"--help"});
  REQUIRE(help.parsed.exit_status);
  CHECK(*help.parsed.exit_status == 0);
  CHECK(help.out.find("--outstanding") != std::string::npos);
  auto version = parse(bench_client::paddock_bench, {"--version"});
  REQUIRE(version.parsed.exit_status);
  CHECK(*version.parsed.exit_status == 0);
}

TEST_CASE("the hold option is paddock-bench's only, and changes the defaults it should",
          "[bench][command_line]") {
  auto r = parse(bench_client::paddock_bench, {"--hold", "znodes=10k,sessions=100,watches=1k"});
  REQUIRE_FALSE(r.parsed.exit_status);
  REQUIRE(r.parsed.opt.hold);
  CHECK(*r.parsed.opt.hold == preload_spec{10000, 100, 1000});
  CHECK(r.parsed.opt.root == "/paddock-preload");
  CHECK(r.parsed.opt.duration_s == 0); // until signalled
  auto rooted = parse(bench_client::paddock_bench,
                      {"--hold", "znodes=1", "--root", "/mine", "--duration", "60"});
  CHECK(rooted.parsed.opt.root == "/mine");
  CHECK(rooted.parsed.opt.duration_s == 60);
  auto bad = parse(bench_client::paddock_bench, {"--hold", "znodes=1,watches=2"});
  REQUIRE(bad.parsed.exit_status);
  CHECK(*bad.parsed.exit_status == exit_usage);
  auto zkc = parse(bench_client::zkc, {"--hold", "znodes=1"});
  REQUIRE(zkc.parsed.exit_status);
  CHECK(*zkc.parsed.exit_status == exit_usage);
}
