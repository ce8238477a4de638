#include "tools/bench/command_line.hpp"

#include "paddock/version.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <ostream>

namespace paddock::bench {

namespace {

constexpr std::string_view hold_root = "/paddock-preload";

} // namespace

parsed_command_line parse_command_line(bench_client client, int argc, const char* const* argv,
                                       std::ostream& out, std::ostream& err) {
  const bool zkc = client == bench_client::zkc;
  const std::string name = zkc ? "paddock-bench-zkc" : "paddock-bench";
  CLI::App app{
      zkc ? "paddock-bench-zkc: a ZooKeeper load generator on Apache ZooKeeper's C client "
            "(libzookeeper_mt, its async API: K sessions x P outstanding requests)"
          : "paddock-bench: a ZooKeeper-protocol load generator (K sessions x P outstanding "
            "requests on one event loop)"};
  app.set_version_flag("--version", name + " " + version_string);
  parsed_command_line parsed;
  auto& opt = parsed.opt;
  std::string server = "127.0.0.1:2181";
  std::string workload = "get";
  std::string server_pids;
  std::string hold;
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
                                  zkc ? "measured seconds (after warmup); 0 = until --ops"
                                      : "measured seconds (after warmup); 0 = until --ops; with "
                                        "--hold: longest hold (default: until SIGTERM/SIGINT)")
                       ->capture_default_str()
                       ->check(CLI::NonNegativeNumber);
  auto* ops = app.add_option("--ops,-n", opt.ops, "measured requests (after warmup); 0 = no limit")
                  ->capture_default_str();
  app.add_option("--warmup", opt.warmup_s, "seconds of load before measuring")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--value-size", opt.value_size,
                 "bytes per value (create, set; the values get reads)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  app.add_option("--key-space", opt.key_space, "znodes pre-created for get/set/mixed")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  auto* root = app.add_option("--root", opt.root,
                              zkc ? "znode under which everything is created"
                                  : "znode under which everything is created (--hold: "
                                    "/paddock-preload unless given)")
                   ->capture_default_str();
  app.add_option("--session-timeout", opt.session_timeout_ms, "session timeout to ask for, ms")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", opt.seed, "random seed for key choice")->capture_default_str();
  app.add_option("--server-pids", server_pids,
                 "PID,PID,...: report the CPU these processes and their descendants used in the "
                 "measured window, summed (server_cpu_s, server_cpu_us_per_op in --json)");
  app.add_flag("--json", opt.json, "print one JSON line instead of text");
  app.add_flag("--keep", opt.keep, "leave the created znodes under --root");
  app.add_flag("--allow-errors", opt.allow_errors,
               "exit 0 even if some requests got ZooKeeper errors");
  if (!zkc)
    app.add_option("--hold", hold,
                   "znodes=N,sessions=N,watches=N: create N znodes under --root (through "
                   "--sessions x --outstanding), open the idle sessions (round-robin over "
                   "--server), set the watches over them, print a JSON line, then keep the "
                   "sessions alive until SIGTERM/SIGINT; runs no workload");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e, out, err);
    parsed.exit_status = status == 0 ? 0 : exit_usage;
    return parsed;
  }
  auto usage = [&](const std::string& why) {
    err << name << ": " << why << '\n';
    parsed.exit_status = exit_usage;
    return parsed;
  };

  if (!hold.empty()) {
    std::string error;
    opt.hold = parse_preload_spec(hold, error);
    if (!opt.hold) return usage("bad --hold '" + hold + "': " + error);
    if (root->count() == 0) opt.root = hold_root;
    if (duration->count() == 0) opt.duration_s = 0; // hold until told to stop
  } else {
    // --ops alone means "exactly N requests", not "N requests or 10 s, whichever first".
    if (ops->count() > 0 && duration->count() == 0) opt.duration_s = 0;
    if (opt.duration_s == 0 && opt.ops == 0) return usage("give --duration or --ops");
  }
  auto servers = tools::parse_endpoint_list(server);
  if (!servers) return usage("bad --server '" + server + "' (want host:port or h1:p1,h2:p2,...)");
  if (opt.root.empty() || opt.root[0] != '/' || opt.root == "/" || opt.root.back() == '/')
    return usage("--root must be an absolute path other than /");
  if (!server_pids.empty()) {
    std::string_view rest = server_pids;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      int pid = 0;
      auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), pid);
      if (item.empty() || ec != std::errc{} || ptr != item.data() + item.size() || pid <= 0)
        return usage("bad --server-pids '" + server_pids + "' (want PID,PID,...)");
      opt.server_pids.push_back(pid);
    }
  }
  opt.servers = std::move(*servers);
  opt.workload = *parse_workload(workload);
  return parsed;
}

} // namespace paddock::bench
