// paddock-bench-zkc: paddock-bench's workloads on Apache ZooKeeper's C client
// (libzookeeper_mt, the async API), so that a figure does not depend on the project's own
// client. Same options, same znodes, same --json (tools/bench/command_line.hpp,
// znodes.hpp, report.hpp). Each session is a zhandle with an I/O thread and a completion
// thread: 128 sessions are 256 threads, which is what a C-library user gets.
// Exit status: 0 ok, 1 error replies (unless --allow-errors) or wrong replies,
// 2 bad usage, 3 cannot connect / setup failed / protocol violation.
#include "tools/bench-zkc/driver.hpp"
#include "tools/bench-zkc/phases.hpp"
#include "tools/bench/command_line.hpp"
#include "tools/bench/cpu_meter.hpp"
#include "tools/bench/report.hpp"
#include "tools/bench/znodes.hpp"

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

namespace {

using namespace paddock;
using namespace paddock::bench::zkc;
using bench::options;

constexpr int exit_failure = 3;
constexpr std::chrono::milliseconds connect_timeout{10000};
constexpr std::chrono::milliseconds stall_timeout{15000};
constexpr std::chrono::milliseconds replication_timeout{10000};

int fail(const std::string& what) {
  std::cerr << "paddock-bench-zkc: " << what << '\n';
  return exit_failure;
}

// A handle of its own for one synchronous call or two (root, replication checks).
std::unique_ptr<zk_session> admin_session(const options& opt, const tools::endpoint& server,
                                          std::string& error) {
  auto s = zk_session::start(server, opt.session_timeout_ms, 0, error);
  if (s && !s->wait_connected(clock::now() + connect_timeout)) {
    error = tools::to_string(server) + ": not connected";
    return nullptr;
  }
  return s;
}

bool ensure_root(const options& opt, std::string& error) {
  auto admin = admin_session(opt, opt.servers.front(), error);
  if (!admin) return false;
  int rc = zoo_create(admin->handle(), opt.root.c_str(), "", 0, &ZOO_OPEN_ACL_UNSAFE,
                      ZOO_PERSISTENT, nullptr, 0);
  if (rc != ZOK && rc != ZNODEEXISTS) {
    error = "create " + opt.root + ": " + zerror(rc);
    return false;
  }
  return true;
}

void remove_root(const options& opt) {
  std::string error;
  auto admin = admin_session(opt, opt.servers.front(), error);
  if (!admin) {
    std::cerr << "paddock-bench-zkc: cleanup: " << error << '\n';
    return;
  }
  int rc = zoo_delete(admin->handle(), opt.root.c_str(), -1);
  if (rc != ZOK && rc != ZNONODE)
    std::cerr << "paddock-bench-zkc: note: " << opt.root << " not removed: " << zerror(rc) << '\n';
}

// As paddock-bench's wait_replicated (tools/bench/session_setup.hpp): sync, then exists of
// the last key, on every server but the first, until it is there (bounded).
bool wait_replicated(const options& opt, std::string& error) {
  auto last_key = bench::key_path(opt, opt.key_space - 1);
  for (size_t j = 1; j < opt.servers.size(); ++j) {
    auto where = tools::to_string(opt.servers[j]) + ": ";
    auto s = admin_session(opt, opt.servers[j], error);
    if (!s) return false;
    auto deadline = clock::now() + replication_timeout;
    for (;;) {
      struct sync_wait {
        std::mutex mu;
        std::condition_variable cv;
        std::optional<int> rc;
      } w;
      auto on_synced = [](int rc, const char*, const void* data) {
        auto* w = static_cast<sync_wait*>(const_cast<void*>(data));
        std::lock_guard lock(w->mu);
        w->rc = rc;
        w->cv.notify_all();
      };
      int rc = zoo_async(s->handle(), opt.root.c_str(), on_synced, &w);
      if (rc == ZOK) {
        std::unique_lock lock(w.mu);
        if (w.cv.wait_for(lock, replication_timeout, [&] { return w.rc.has_value(); })) {
          rc = *w.rc;
        } else {
          // The completion still points at `w`: the handle must go (flushing it) first.
          lock.unlock();
          s->close();
          rc = ZOPERATIONTIMEOUT;
        }
      }
      if (rc != ZOK) {
        error = where + "sync " + opt.root + ": " + zerror(rc);
        return false;
      }
      struct Stat stat;
      rc = zoo_exists(s->handle(), last_key.c_str(), 0, &stat);
      if (rc == ZOK) break;
      if (rc != ZNONODE) {
        error = where + "exists " + last_key + ": " + zerror(rc);
        return false;
      }
      if (clock::now() > deadline) {
        error = where + last_key + " still missing " + std::to_string(replication_timeout.count()) +
                " ms after setup";
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return true;
}

int run(const options& opt) {
  std::string error;
  if (!ensure_root(opt, error)) return fail(error);
  session_list sessions;
  if (!connect_sessions(opt, opt.sessions, connect_timeout, sessions, error)) return fail(error);
  std::vector<int64_t> ids;
  for (auto& s : sessions)
    ids.push_back(s->session_id());

  setup_phase setup(opt);
  if (!run_phase(sessions, setup, opt.outstanding, stall_timeout, nullptr, error))
    return fail("setup: " + error);
  if (setup.failures().count() > 0)
    return fail("setup: " + std::to_string(setup.failures().count()) +
                " creates failed (first: " + zerror(setup.failures().first()) + ")");
  if (bench::uses_keys(opt.workload) && opt.servers.size() > 1 && !wait_replicated(opt, error))
    return fail("setup: " + error);

  bench::cpu_meter cpu(opt.server_pids);
  measure_phase measure(opt, ids, clock::now());
  auto at_warmup_end = [&](clock::time_point now) {
    if (!cpu.started() && now >= measure.warmup_end()) cpu.start();
  };
  if (!run_phase(sessions, measure, opt.outstanding, stall_timeout, at_warmup_end, error))
    return fail(error);
  auto results = measure.finish();
  results.cpu = cpu.stop(measure.window_ops());
  if (!cpu.warning().empty()) std::cerr << "paddock-bench-zkc: cpu: " << cpu.warning() << '\n';
  int status = bench::report_results(std::cout, std::cerr, "paddock-bench-zkc", opt, results);

  if (!opt.keep) {
    cleanup_phase cleanup(opt, ids, measure.created());
    if (!run_phase(sessions, cleanup, opt.outstanding, stall_timeout, nullptr, error))
      return fail("cleanup: " + error);
    if (cleanup.failures().count() > 0)
      std::cerr << "paddock-bench-zkc: cleanup: " << cleanup.failures().count()
                << " deletes failed (first: " << zerror(cleanup.failures().first()) << ")\n";
  }
  close_sessions(sessions);
  if (!opt.keep) remove_root(opt);
  return status;
}

} // namespace

int main(int argc, char** argv) {
  auto parsed =
      bench::parse_command_line(bench::bench_client::zkc, argc, argv, std::cout, std::cerr);
  if (parsed.exit_status) return *parsed.exit_status;
  // The library's own log goes to stderr; connection-loss noise at ERROR level only.
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  return run(parsed.opt);
}
