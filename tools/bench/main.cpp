// paddock-bench: a ZooKeeper-protocol load generator. One thread, one epoll loop, K sessions
// each with up to P requests in flight, latency measured per request on a monotonic clock.
// Against an ensemble (--server h1:p1,h2:p2,...) session i connects to server i mod N.
// With --hold it runs no workload but holds the scale scenario's idle sessions (hold.hpp).
// Exit status: 0 ok, 1 error replies (unless --allow-errors) or wrong replies,
// 2 bad usage, 3 cannot connect / setup failed / protocol violation.
#include "protocol/jute/error_code.hpp"
#include "tools/bench/command_line.hpp"
#include "tools/bench/cpu_meter.hpp"
#include "tools/bench/event_loop.hpp"
#include "tools/bench/hold.hpp"
#include "tools/bench/report.hpp"
#include "tools/bench/session_setup.hpp"
#include "tools/bench/workload.hpp"

#include <iostream>

namespace {

using namespace paddock;
using bench::options;

constexpr int exit_failure = 3;
constexpr std::chrono::milliseconds stall_timeout{15000};

std::string err_name(int32_t code) {
  return std::string(jute::error_name(static_cast<jute::error_code>(code)));
}

int run(const options& opt) {
  std::string error;
  if (!bench::ensure_root(opt, error)) {
    std::cerr << "paddock-bench: " << error << '\n';
    return exit_failure;
  }
  bench::event_loop loop;
  if (!loop.ok() || !bench::open_sessions(opt, opt.sessions, loop, error)) {
    std::cerr << "paddock-bench: " << error << '\n';
    return exit_failure;
  }

  bench::setup_phase setup(opt);
  if (!loop.run(setup, opt.outstanding, stall_timeout)) {
    std::cerr << "paddock-bench: setup: " << loop.error() << '\n';
    return exit_failure;
  }
  if (setup.failures() > 0) {
    std::cerr << "paddock-bench: setup: " << setup.failures()
              << " creates failed (first: " << err_name(setup.first_error()) << ")\n";
    return exit_failure;
  }
  if (bench::uses_keys(opt.workload) && opt.servers.size() > 1 &&
      !bench::wait_replicated(opt, bench::key_path(opt, opt.key_space - 1), error)) {
    std::cerr << "paddock-bench: setup: " << error << '\n';
    return exit_failure;
  }

  bench::cpu_meter cpu(opt.server_pids);
  bench::measure_phase measure(opt, loop, cpu, bench::clock::now());
  if (!loop.run(measure, opt.outstanding, stall_timeout)) {
    std::cerr << "paddock-bench: " << loop.error() << '\n';
    return exit_failure;
  }
  auto created = measure.created();
  auto results = measure.finish();
  if (!cpu.warning().empty()) std::cerr << "paddock-bench: cpu: " << cpu.warning() << '\n';
  int status = bench::report_results(std::cout, std::cerr, "paddock-bench", opt, results);

  if (!opt.keep) {
    bench::cleanup_phase cleanup(opt, loop, created);
    if (!loop.run(cleanup, opt.outstanding, stall_timeout)) {
      std::cerr << "paddock-bench: cleanup: " << loop.error() << '\n';
      return exit_failure;
    }
    if (cleanup.failures() > 0)
      std::cerr << "paddock-bench: cleanup: " << cleanup.failures()
                << " deletes failed (first: " << err_name(cleanup.first_error()) << ")\n";
  }
  loop.close_all(std::chrono::milliseconds(3000));
  if (!opt.keep) bench::remove_root(opt);
  return status;
}

} // namespace

int main(int argc, char** argv) {
  auto parsed = bench::parse_command_line(bench::bench_client::paddock_bench, argc, argv, std::cout,
                                          std::cerr);
  if (parsed.exit_status) return *parsed.exit_status;
  if (parsed.opt.hold) return bench::run_hold(parsed.opt);
  return run(parsed.opt);
}
