#include "actors/server.hpp"

#include "actors/admin.hpp"
#include "actors/client_listener.hpp"
#include "actors/fault_injector.hpp"
#include "actors/log_writer.hpp"
#include "actors/messages.hpp"
#include "actors/peer_links.hpp"
#include "actors/proposal_pipeline.hpp"
#include "actors/quorum_peer.hpp"
#include "actors/zab_wire.hpp"
#include "actors/session_tracker.hpp"
#include "actors/container_sweeper.hpp"
#include "actors/snapshotter.hpp"
#include "actors/store_actor.hpp"
#include "actors/watch_manager.hpp"
#include "paddock/version.hpp"
#include "store/epoch_file.hpp"
#include "store/recovery.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <csignal>
#include <filesystem>
#include <optional>
#include <vector>
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
    // Peer messages: every type registered on every server (an unregistered one would
    // arrive as an empty message), and dead peers detected by heartbeats.
    add_zab_message_types(*this);
    configure_peer_transport(*this);
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

// ZAB's persistent state: the epochs (ZooKeeper's acceptedEpoch / currentEpoch files; when
// missing, as ZooKeeper, the epoch of the last logged zxid) and the newest log records.
std::optional<zab::persistent_state> load_zab_state(const config::server_config& cfg,
                                                    store::recovery_result& recovered,
                                                    int64_t last_zxid) {
  zab::persistent_state state;
  auto accepted = store::read_epoch_file(cfg.snap_dir() + "/acceptedEpoch");
  auto current = store::read_epoch_file(cfg.snap_dir() + "/currentEpoch");
  for (const auto* r : {&accepted, &current})
    if (!r->status.ok()) {
      spdlog::critical("{}", r->status.message);
      return std::nullopt;
    }
  state.current_epoch = current.value.value_or(zab::epoch_of(last_zxid));
  state.accepted_epoch = accepted.value.value_or(state.current_epoch);
  if (state.accepted_epoch < state.current_epoch) {
    spdlog::critical("acceptedEpoch {} is less than currentEpoch {} in {}: the epoch files "
                     "are damaged",
                     state.accepted_epoch, state.current_epoch, cfg.snap_dir());
    return std::nullopt;
  }
  state.last_logged = last_zxid;
  state.recent.reserve(recovered.recent.size());
  for (auto& [zxid, body] : recovered.recent)
    state.recent.push_back({zxid, std::move(body)});
  recovered.recent.clear();
  return state;
}

} // namespace

// Exit statuses: 1 cannot listen, 3 a core actor died, 4 the data on disk cannot be trusted.
int run_server(const config::server_config& cfg, const run_options& options) {
  // Block the termination signals in every thread (CAF's threads inherit the mask) and
  // wait for them in one thread of our own.
  auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  if (!prepare_directories(cfg)) return 4;
  auto recovery_started = std::chrono::steady_clock::now();
  const zab::timing zab_defaults;
  auto recovered = store::recover(cfg.snap_dir(), cfg.log_dir(),
                                  cfg.is_ensemble() ? zab_defaults.max_diff_txns : 0);
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

  std::optional<zab::persistent_state> zab_state;
  if (cfg.is_ensemble()) {
    zab_state = load_zab_state(cfg, recovered, last_zxid);
    if (!zab_state) return 4;
    spdlog::info("ensemble member {} of {} servers; acceptedEpoch {}, currentEpoch {}",
                 cfg.server_id, cfg.servers.size(), zab_state->accepted_epoch,
                 zab_state->current_epoch);
  }

  caf_config caf_cfg;
  caf::actor_system sys{caf_cfg};

  // Actors keep a pointer to the context and read the handles only when handling messages;
  // the handles are filled in right after spawning, before any client can connect.
  auto ctx = std::make_shared<server_context>();
  ctx->config = cfg;
  auto store = sys.spawn(store_actor, ctx, tree);
  tree.reset();
  auto wm = sys.spawn(watch_manager, ctx);
  auto tracker = sys.spawn(session_tracker, ctx, std::move(sessions));
  // Blocking file I/O: each on a thread of its own, never on a scheduler worker.
  auto log = sys.spawn<caf::detached>(log_writer, ctx, last_zxid);
  auto snaps = sys.spawn<caf::detached>(snapshotter, ctx);
  ctx->store = store;
  ctx->watch_manager = wm;
  ctx->tracker = tracker;
  ctx->sweeper = sys.spawn(container_sweeper, ctx);
  ctx->log_writer = log;
  ctx->snapshotter = snaps;
  auto admin = sys.spawn(admin_actor, ctx);
  caf::actor injector;
  if (options.fault_injection) {
    spdlog::warn("fault injection is enabled (--enable-fault-injection): `kill <target>` on the "
                 "client port kills actors of this server. For tests only.");
    injector = sys.spawn(fault_injector, ctx);
  }
  auto listener = sys.middleman().spawn_broker(client_listener, ctx, admin, injector);
  // Standalone, the pipeline stamps and logs writes; in an ensemble the quorum peer runs ZAB
  // and takes the pipeline's place for everyone who sends it writes.
  auto pipeline = zab_state ? sys.spawn(quorum_peer, ctx, std::move(*zab_state), listener)
                            : sys.spawn(proposal_pipeline, ctx, last_zxid);
  ctx->pipeline = pipeline;
  caf::actor links;
  if (zab_state) links = spawn_peer_links(sys, cfg, pipeline);
  ctx->peer_links = links;

  caf::scoped_actor self{sys};
  // Every actor the server cannot do without, by the name its death is logged with.
  std::vector<std::pair<caf::actor, const char*>> core{
      {store, "the store"},
      {wm, "the watch manager"},
      {pipeline, zab_state ? "the quorum peer" : "the proposal pipeline"},
      {tracker, "the session tracker"},
      {ctx->sweeper, "the container sweeper"},
      {log, "the txn log writer"},
      {snaps, "the snapshotter"},
      {admin, "the admin actor"},
      {listener, "the client listener"}};
  if (links) core.emplace_back(links, "the peer links");
  if (injector) core.emplace_back(injector, "the fault injector");
  auto stop_all = [&] {
    // A snapshot being written is abandoned: waiting could take seconds for a large tree,
    // and the previous snapshot plus the log hold everything it would have.
    if (int pid = ctx->snapshot_writer->load(); pid > 0) ::kill(pid, SIGKILL);
    for (const auto& entry : core)
      self->send_exit(entry.first, caf::exit_reason::user_shutdown);
  };

  bool bound = false;
  self->request(listener, std::chrono::seconds(10), open_atom::value,
                static_cast<uint16_t>(cfg.client_port), cfg.client_port_address)
      .receive(
          [&](uint16_t port) {
            bound = true;
            spdlog::info("Paddock {} listening for ZooKeeper clients on {}:{} ({})",
                         version_string,
                         cfg.client_port_address.empty() ? "0.0.0.0" : cfg.client_port_address,
                         port,
                         cfg.is_ensemble() ? "ensemble member: serves once a leader is established"
                                           : "standalone");
          },
          [&](caf::error& err) {
            spdlog::critical("cannot listen on {}:{}: {}", cfg.client_port_address, cfg.client_port,
                             sys.render(err));
          });
  if (!bound) {
    stop_all();
    return 1;
  }
  if (links) {
    // ZooKeeper's two ports: peers reach this server's peer_links through either.
    if (auto error = publish_peer_links(sys, cfg, links); !error.empty()) {
      spdlog::critical("{}", error);
      stop_all();
      return 1;
    }
    const auto* me = cfg.self();
    spdlog::info("quorum port {}:{}, election port {}:{}; looking for a leader among {} servers",
                 me->host, me->quorum_port, me->host, me->election_port, cfg.servers.size());
    self->send(pipeline, links_atom::value, links);
  }

  for (const auto& entry : core)
    self->monitor(entry.first);

  auto self_handle = caf::actor{self.ptr()};
  std::thread signal_waiter([signals, self_handle] {
    int sig = 0;
    sigwait(&signals, &sig);
    caf::anon_send(self_handle, stop_atom::value, sig);
  });

  int status = 0;
  self->receive([&](stop_atom, int sig) { spdlog::info("received signal {}, shutting down", sig); },
                [&](caf::down_msg& dm) {
                  const char* name = "a core actor";
                  for (const auto& entry : core)
                    if (entry.first.address() == dm.source) name = entry.second;
                  // Nothing in the server but the fault injector kills with exit_reason::kill.
                  spdlog::critical("{} stopped ({}); the server stops rather than run without it",
                                   name,
                                   dm.reason == caf::exit_reason::kill ? "killed by fault injection"
                                                                       : sys.render(dm.reason));
                  status = 3;
                  kill(getpid(), SIGTERM); // release the signal waiter
                });
  signal_waiter.join();
  stop_all();
  return status;
}

} // namespace paddock::actors
