#include "actors/server.hpp"

#include "actors/admin.hpp"
#include "actors/client_listener.hpp"
#include "actors/log_writer.hpp"
#include "actors/messages.hpp"
#include "actors/proposal_pipeline.hpp"
#include "actors/session_tracker.hpp"
#include "actors/snapshotter.hpp"
#include "actors/store_actor.hpp"
#include "actors/watch_manager.hpp"
#include "paddock/version.hpp"
#include "store/recovery.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <csignal>
#include <filesystem>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <thread>
#include <unistd.h>

namespace paddock::actors {

namespace {

using stop_atom = caf::atom_constant<caf::atom("stop")>;

// CAF settings chosen from measurements on a 2-core box (shared/notes/caf-0.17.md): one
// worker per core, the sharing policy (half the latency of work stealing there), a finite
// throughput so no actor starves the others. Set explicitly: we never call parse(), which
// would read a caf-application.ini from the working directory.
class caf_config : public caf::actor_system_config {
public:
  caf_config() {
    load<caf::io::middleman>();
    auto cores = std::max(2u, std::thread::hardware_concurrency());
    set("scheduler.max-threads", static_cast<size_t>(cores));
    set("scheduler.policy", caf::atom("sharing"));
    set("scheduler.max-throughput", static_cast<size_t>(100));
    set("middleman.attach-utility-actors", true);
    set("logger.verbosity", caf::atom("quiet"));
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Creates the data directories and removes what an interrupted snapshot left behind.
bool prepare_directories(const config::server_config& cfg) {
  namespace fs = std::filesystem;
  for (const auto& dir : {cfg.snap_dir(), cfg.log_dir()}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      spdlog::critical("cannot create {}: {}", dir, ec.message());
      return false;
    }
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".tmp") fs::remove(entry.path(), ec);
  }
  return true;
}

} // namespace

// Exit statuses: 1 cannot listen, 3 a core actor died, 4 the data on disk cannot be trusted.
int run_server(const config::server_config& cfg) {
  // Block the termination signals in every thread (CAF's threads inherit the mask) and
  // wait for them in one thread of our own.
  auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  if (!prepare_directories(cfg)) return 4;
  auto recovery_started = std::chrono::steady_clock::now();
  auto recovered = store::recover(cfg.snap_dir(), cfg.log_dir());
  for (const auto& w : recovered.warnings)
    spdlog::warn("recovery: {}", w);
  if (!recovered.status.ok()) {
    spdlog::critical("cannot recover the data in {}: {}. The server does not start on a "
                     "history with a hole in it; see docs/operator-guide.md (recovery).",
                     cfg.log_dir(), recovered.status.message);
    return 4;
  }
  auto tree = std::make_shared<store::data_tree>(std::move(recovered.tree));
  const int64_t last_zxid = tree->last_zxid();
  auto sessions = tree->sessions();
  spdlog::info("recovered zxid 0x{:x} in {} ms: {} ({} log records replayed), {} znodes, {} "
               "sessions",
               last_zxid,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - recovery_started)
                   .count(),
               recovered.snapshot_path.empty() ? "no snapshot" : recovered.snapshot_path,
               recovered.replayed, tree->node_count(), sessions.size());

  caf_config caf_cfg;
  caf::actor_system sys{caf_cfg};

  // Actors keep a pointer to the context and read the handles only when handling messages;
  // the handles are filled in right after spawning, before any client can connect.
  auto ctx = std::make_shared<server_context>();
  ctx->config = cfg;
  auto store = sys.spawn(store_actor, ctx, tree);
  tree.reset();
  auto wm = sys.spawn(watch_manager, ctx);
  auto pipeline = sys.spawn(proposal_pipeline, ctx, last_zxid);
  auto tracker = sys.spawn(session_tracker, ctx, std::move(sessions));
  // Blocking file I/O: each on a thread of its own, never on a scheduler worker.
  auto log = sys.spawn<caf::detached>(log_writer, ctx, last_zxid);
  auto snaps = sys.spawn<caf::detached>(snapshotter, ctx);
  ctx->store = store;
  ctx->watch_manager = wm;
  ctx->pipeline = pipeline;
  ctx->tracker = tracker;
  ctx->log_writer = log;
  ctx->snapshotter = snaps;
  auto admin = sys.spawn(admin_actor, ctx);
  auto listener = sys.middleman().spawn_broker(client_listener, ctx, admin);

  caf::scoped_actor self{sys};
  const caf::actor core[] = {store, wm, pipeline, tracker, log, snaps, admin, listener};
  auto stop_all = [&] {
    // A snapshot being written is abandoned: waiting could take seconds for a large tree,
    // and the previous snapshot plus the log hold everything it would have.
    if (int pid = ctx->snapshot_writer->load(); pid > 0) ::kill(pid, SIGKILL);
    for (const auto& a : core)
      self->send_exit(a, caf::exit_reason::user_shutdown);
  };

  bool bound = false;
  self->request(listener, std::chrono::seconds(10), open_atom::value,
                static_cast<uint16_t>(cfg.client_port), cfg.client_port_address)
      .receive(
          [&](uint16_t port) {
            bound = true;
            spdlog::info(
                "Paddock {} serving ZooKeeper clients on {}:{} (standalone)", version_string,
                cfg.client_port_address.empty() ? "0.0.0.0" : cfg.client_port_address, port);
          },
          [&](caf::error& err) {
            spdlog::critical("cannot listen on {}:{}: {}", cfg.client_port_address, cfg.client_port,
                             sys.render(err));
          });
  if (!bound) {
    stop_all();
    return 1;
  }

  for (const auto& a : core)
    self->monitor(a);

  auto self_handle = caf::actor{self.ptr()};
  std::thread signal_waiter([signals, self_handle] {
    int sig = 0;
    sigwait(&signals, &sig);
    caf::anon_send(self_handle, stop_atom::value, sig);
  });

  int status = 0;
  self->receive([&](stop_atom, int sig) { spdlog::info("received signal {}, shutting down", sig); },
                [&](caf::down_msg& dm) {
                  spdlog::critical(
                      "a core actor stopped ({}); the server stops rather than run without it",
                      sys.render(dm.reason));
                  status = 3;
                  kill(getpid(), SIGTERM); // release the signal waiter
                });
  signal_waiter.join();
  stop_all();
  return status;
}

} // namespace paddock::actors
