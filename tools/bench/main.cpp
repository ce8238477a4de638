// paddock-bench: a ZooKeeper-protocol load generator. One thread, one epoll loop, K sessions
// each with up to P requests in flight, latency measured per request on a monotonic clock.
// Against an ensemble (--server h1:p1,h2:p2,...) session i connects to server i mod N.
// Exit status: 0 ok, 1 error replies (unless --allow-errors) or wrong replies,
// 2 bad usage, 3 cannot connect / setup failed / protocol violation.
#include "paddock/version.hpp"
#include "protocol/jute/error_code.hpp"
#include "tools/bench/event_loop.hpp"
#include "tools/bench/report.hpp"
#include "tools/bench/workload.hpp"
#include "tools/common/sync_client.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

namespace {

using namespace paddock;
using bench::options;

constexpr int exit_errors = 1;
constexpr int exit_usage = 2;
constexpr int exit_failure = 3;
constexpr std::chrono::milliseconds connect_timeout{10000};
constexpr std::chrono::milliseconds stall_timeout{15000};
// How long a server of an ensemble may take to show the keys created through the first one;
// well under the session timeout, as the measuring sessions sit idle meanwhile.
constexpr std::chrono::milliseconds replication_timeout{10000};

std::string err_name(int32_t code) {
  return std::string(jute::error_name(static_cast<jute::error_code>(code)));
}

// The root holds everything the bench makes; an existing root (a kept run) is reused.
bool ensure_root(const options& opt, std::string& error) {
  tools::sync_client admin;
  if (!admin.connect(opt.servers.front(), opt.session_timeout_ms, connect_timeout)) {
    error = admin.error();
    return false;
  }
  auto r =
      admin.call(jute::opcode::create, jute::create_request{opt.root, "", jute::open_acl_unsafe(),
                                                            jute::create_mode::persistent, -1});
  admin.close_session();
  if (!r) {
    error = admin.error();
    return false;
  }
  if (r->header.err != 0 && r->header.err != static_cast<int32_t>(jute::error_code::node_exists)) {
    error = "create " + opt.root + ": " + err_name(r->header.err);
    return false;
  }
  return true;
}

// Deletes the root if it is empty now; something else left in it is only worth a note.
void remove_root(const options& opt) {
  tools::sync_client admin;
  if (!admin.connect(opt.servers.front(), opt.session_timeout_ms, connect_timeout)) {
    std::cerr << "paddock-bench: cleanup: " << admin.error() << '\n';
    return;
  }
  auto r = admin.call(jute::opcode::remove, jute::delete_request{opt.root, -1});
  admin.close_session();
  if (r && r->header.err != 0 && r->header.err != static_cast<int32_t>(jute::error_code::no_node))
    std::cerr << "paddock-bench: note: " << opt.root << " not removed: " << err_name(r->header.err)
              << '\n';
}

// ZooKeeper is consistent per session only: a follower may answer a read before it has
// applied writes that other sessions made through other servers. The keys were created
// through the first server; before measuring, every other server must have them, or gets
// there fail with NoNode. sync makes a server catch up with the leader as of the sync; the
// exists of the last key checks it (and retries, bounded, should a server's sync be weaker).
bool wait_replicated(const options& opt, std::string& error) {
  auto last_key = bench::key_path(opt, opt.key_space - 1);
  for (size_t j = 1; j < opt.servers.size(); ++j) {
    const auto& server = opt.servers[j];
    auto where = tools::to_string(server) + ": ";
    tools::sync_client c;
    if (!c.connect(server, opt.session_timeout_ms, connect_timeout)) {
      error = where + c.error();
      return false;
    }
    auto deadline = std::chrono::steady_clock::now() + replication_timeout;
    for (;;) {
      auto synced = c.call(jute::opcode::sync, jute::path_request{opt.root});
      if (!synced || synced->header.err != 0) {
        error =
            where + "sync " + opt.root + ": " + (synced ? err_name(synced->header.err) : c.error());
        return false;
      }
      auto seen = c.call(jute::opcode::exists, jute::path_watch_request{last_key, false});
      if (!seen) {
        error = where + c.error();
        return false;
      }
      if (seen->header.err == 0) break;
      if (seen->header.err != static_cast<int32_t>(jute::error_code::no_node)) {
        error = where + "exists " + last_key + ": " + err_name(seen->header.err);
        return false;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        error = where + last_key + " still missing " + std::to_string(replication_timeout.count()) +
                " ms after setup";
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    c.close_session();
  }
  return true;
}

bool open_sessions(const options& opt, bench::event_loop& loop, std::string& error) {
  for (size_t i = 0; i < opt.sessions; ++i) {
    const auto& server = opt.servers[i % opt.servers.size()];
    tools::sync_client c;
    if (!c.connect(server, opt.session_timeout_ms, connect_timeout)) {
      error = "session " + std::to_string(i + 1) + " of " + std::to_string(opt.sessions) + " (" +
              tools::to_string(server) + "): " + c.error();
      return false;
    }
    auto id = c.session().session_id;
    auto timeout = c.session().timeout_ms;
    auto xid = c.next_xid();
    auto decoder = std::move(c.decoder());
    int fd = c.release_fd();
    tools::set_nonblocking(fd);
    loop.add(bench::pipelined_session(fd, std::move(decoder), id, xid, timeout));
  }
  return true;
}

int run(const options& opt) {
  std::string error;
  if (!ensure_root(opt, error)) {
    std::cerr << "paddock-bench: " << error << '\n';
    return exit_failure;
  }
  bench::event_loop loop;
  if (!loop.ok() || !open_sessions(opt, loop, error)) {
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
  if (bench::uses_keys(opt.workload) && opt.servers.size() > 1 && !wait_replicated(opt, error)) {
    std::cerr << "paddock-bench: setup: " << error << '\n';
    return exit_failure;
  }

  bench::measure_phase measure(opt, loop, bench::clock::now());
  if (!loop.run(measure, opt.outstanding, stall_timeout)) {
    std::cerr << "paddock-bench: " << loop.error() << '\n';
    return exit_failure;
  }
  auto created = measure.created();
  auto results = measure.finish();
  if (opt.json)
    bench::print_json(std::cout, opt, results);
  else
    bench::print_human(std::cout, opt, results);
  std::cout.flush();

  int status = 0;
  if (results.verify_failures > 0) {
    std::cerr << "paddock-bench: " << results.verify_failures
              << " replies did not match their requests\n";
    status = exit_errors;
  }
  if (results.errors > 0 && !opt.allow_errors) {
    std::cerr << "paddock-bench: " << results.errors
              << " requests failed (use --allow-errors to accept)\n";
    status = exit_errors;
  }

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
  if (!opt.keep) remove_root(opt);
  return status;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"paddock-bench: a ZooKeeper-protocol load generator (K sessions x P outstanding "
               "requests on one event loop)"};
  app.set_version_flag("--version", std::string("paddock-bench ") + version_string);
  options opt;
  std::string server = "127.0.0.1:2181";
  std::string workload = "get";
  app.add_option("--server", server,
                 "host:port, or an ensemble h1:p1,h2:p2,...: session i connects to server i mod "
                 "N; the root and keys are created through the first, and get/set/mixed wait "
                 "(sync + exists) until every server has the keys before measuring")
      ->capture_default_str();
  app.add_option("--sessions,-k", opt.sessions, "sessions (TCP connections)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--outstanding,-p", opt.outstanding, "requests in flight per session")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--workload,-w", workload, "create | set | get | mixed (90% get, 10% set)")
      ->capture_default_str()
      ->check(CLI::IsMember({"create", "set", "get", "mixed"}));
  auto* duration = app.add_option("--duration,-d", opt.duration_s,
                                  "measured seconds (after warmup); 0 = until --ops")
                       ->capture_default_str()
                       ->check(CLI::NonNegativeNumber);
  auto* ops = app.add_option("--ops,-n", opt.ops, "measured requests (after warmup); 0 = no limit")
                  ->capture_default_str();
  app.add_option("--warmup", opt.warmup_s, "seconds of load before measuring")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--value-size", opt.value_size, "bytes per value (create, set; get's keys)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  app.add_option("--key-space", opt.key_space, "znodes pre-created for get/set/mixed")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  app.add_option("--root", opt.root, "znode under which everything is created")
      ->capture_default_str();
  app.add_option("--session-timeout", opt.session_timeout_ms, "session timeout to ask for, ms")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", opt.seed, "random seed for key choice")->capture_default_str();
  app.add_flag("--json", opt.json, "print one JSON line instead of text");
  app.add_flag("--keep", opt.keep, "leave the created znodes under --root");
  app.add_flag("--allow-errors", opt.allow_errors,
               "exit 0 even if some requests got ZooKeeper errors");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage;
  }

  // --ops alone means "exactly N requests", not "N requests or 10 s, whichever first".
  if (ops->count() > 0 && duration->count() == 0) opt.duration_s = 0;
  if (opt.duration_s == 0 && opt.ops == 0) {
    std::cerr << "paddock-bench: give --duration or --ops\n";
    return exit_usage;
  }
  auto servers = tools::parse_endpoint_list(server);
  if (!servers) {
    std::cerr << "paddock-bench: bad --server '" << server
              << "' (want host:port or h1:p1,h2:p2,...)\n";
    return exit_usage;
  }
  if (opt.root.empty() || opt.root[0] != '/' || opt.root == "/" || opt.root.back() == '/') {
    std::cerr << "paddock-bench: --root must be an absolute path other than /\n";
    return exit_usage;
  }
  opt.servers = std::move(*servers);
  opt.workload = *bench::parse_workload(workload);
  return run(opt);
}
