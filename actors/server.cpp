#include "actors/server.hpp"

#include "actors/admin.hpp"
#include "actors/admin_server.hpp"
#include "actors/client_listener.hpp"
#include "actors/container_sweeper_actor.hpp"
#include "actors/fault_injector.hpp"
#include "actors/heap.hpp"
#include "actors/io_thread_scheduler.hpp"
#include "actors/messages/admin.hpp"
#include "actors/messages/client.hpp"
#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/peer_protocol_version.hpp"
#include "actors/messages/registry.hpp"
#include "actors/metrics/metrics_endpoint.hpp"
#include "actors/peer_links.hpp"
#include "actors/peer_port_unification.hpp"
#include "actors/peer_protocol_check.hpp"
#include "actors/proposal_pipeline.hpp"
#include "actors/quorum_peer.hpp"
#include "actors/quorum_tls.hpp"
#include "actors/service_notify.hpp"
#include "actors/session_expiry_actor.hpp"
#include "actors/snapshotter.hpp"
#include "actors/store_actor.hpp"
#include "actors/system_clock.hpp"
#include "actors/tls_listener.hpp"
#include "actors/txn_log_writer_actor.hpp"
#include "actors/watch_manager.hpp"
#include "actors/zab_recovery.hpp"
#include "paddock/version.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/recovery.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <csignal>
#include <filesystem>
#include <optional>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace paddock::actors {

namespace {

// CAF settings chosen from measurements on a 2-core box (docs/benchmarks.md). Set explicitly:
// we never call parse(), which would read a caf-application.ini from the working directory.
// The actors' threads: on up to two cores none of their own (io_thread_scheduler: every
// actor on the I/O thread, which the client sockets and the peer transport need anyway; a
// message handed between threads cost more than handling it); above that, CAF's sharing
// scheduler (half the latency of work stealing here) with one thread per core but one, the
// last core left to the I/O thread and the log writer. A finite throughput per turn, so no
// actor starves the others.
size_t worker_threads(const config::server_config& cfg) {
  if (cfg.worker_threads >= 0) return static_cast<size_t>(cfg.worker_threads);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return cores <= 2 ? 0 : cores - 1;
}

class caf_config : public caf::actor_system_config {
public:
  explicit caf_config(size_t workers) {
    load<caf::io::middleman>();
    if (workers == 0) {
      load<io_thread_scheduler>();
    } else {
      set("scheduler.max-threads", workers);
      set("scheduler.policy", caf::atom("sharing"));
    }
    set("scheduler.max-throughput", static_cast<size_t>(100));
    set("middleman.attach-utility-actors", true);
    set("logger.verbosity", caf::atom("quiet"));
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
    // Peer messages: every type registered on every server (an unregistered one would
    // arrive as an empty message), and dead peers detected by heartbeats.
    register_wire_types(*this);
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

// Creates the data directories and removes what an interrupted snapshot (or epoch file
// write) left behind.
bool prepare_directories(store::file_system& disk, const config::server_config& cfg) {
  for (const auto& dir : {cfg.snap_dir(), cfg.log_dir()}) {
    if (auto st = disk.create_directories(dir); !st.ok()) {
      spdlog::critical("cannot create {}: {}", dir, st.message);
      return false;
    }
    std::vector<std::string> names;
    (void)disk.list(dir, names);
    for (const auto& name : names)
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0)
        (void)disk.remove(dir + "/" + name);
  }
  return true;
}

// Waits, bounded, until the actors in `running` (monitored by `self`) have stopped.
void await_stopped(caf::scoped_actor& self, std::vector<caf::actor_addr> running) {
  while (!running.empty()) {
    bool timed_out = false;
    self->receive([&](caf::down_msg& dm) { std::erase(running, dm.source); },
                  caf::after(std::chrono::seconds(10)) >> [&] { timed_out = true; });
    if (timed_out) {
      spdlog::warn("{} core actors still running 10 s after the stop; stopping anyway",
                   running.size());
      return;
    }
  }
}

// The actors have stopped; lets CAF's BASP broker (the peer transport, running standalone too)
// handle what they left in its mailbox before the actor system stops it. The middleman stops the
// broker without reading its mailbox, and in CAF 0.17 nothing frees that mailbox afterwards: a
// message still queued there (a message to a peer names its proxy, which holds the broker) keeps
// the broker and all it holds alive, and LeakSanitizer reports it at exit. The middleman answers
// this question from the broker, so the answer comes after everything queued there before it.
void flush_peer_transport(caf::actor_system& sys, caf::scoped_actor& self) {
  self->request(sys.middleman().actor_handle(), std::chrono::seconds(3), caf::get_atom::value,
                sys.node())
      .receive([](const caf::node_id&, const std::string&, uint16_t) {},
               [&](caf::error& err) {
                 spdlog::debug("flushing the peer transport at shutdown: {}", sys.render(err));
               });
}

} // namespace

// Exit statuses: 1 cannot listen, 3 a core actor died, 4 the data on disk cannot be trusted.
int run_server(const config::server_config& cfg, const run_options& options) {
  // Block the termination signals in every thread (CAF's threads inherit the mask) and
  // wait for them in one thread of our own.
  auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // The real file system, for recovery here and for the actors through their context.
  auto disk = std::make_shared<store::posix_file_system>();
  if (!prepare_directories(*disk, cfg)) return 4;
  // The server's one clock (server_context::clock); the recovery is timed on it too.
  auto clock = std::make_shared<const system_clock>();
  const int64_t recovery_started_ms = clock->monotonic_ms();
  const zab::timing zab_defaults;
  // Before the first tree is made: each tree decides at birth whether it keeps the digest.
  store::data_tree::set_digest_enabled(cfg.digest_enabled);
  auto recovered = store::recover(*disk, cfg.snap_dir(), cfg.log_dir(),
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
  const int64_t recovery_ms = clock->monotonic_ms() - recovery_started_ms;
  spdlog::info("recovered zxid 0x{:x} in {} ms: {} ({} log records replayed), {} znodes, {} "
               "sessions",
               last_zxid, recovery_ms,
               recovered.snapshot_path.empty() ? "no snapshot" : recovered.snapshot_path,
               recovered.replayed, tree->node_count(), sessions.size());

  std::optional<zab::persistent_state> zab_state;
  if (cfg.is_ensemble()) {
    zab_state = load_zab_state(*disk, cfg, recovered, *tree);
    if (!zab_state) return 4;
    spdlog::info("ensemble member {} of {} servers; acceptedEpoch {}, currentEpoch {}",
                 cfg.server_id, cfg.servers.size(), zab_state->accepted_epoch,
                 zab_state->current_epoch);
  }

  caf_config caf_cfg{worker_threads(cfg)};
  // sslQuorum: the peer transport is CAF's OpenSSL module, set up before the system exists.
  if (auto error = configure_quorum_tls(cfg, caf_cfg); !error.empty()) {
    spdlog::critical("TLS between servers ({}): {}",
                     cfg.quorum_tls.ssl_quorum ? "sslQuorum=true" : "portUnification=true", error);
    return 1;
  }
  if (const auto workers = worker_threads(cfg); workers == 0)
    spdlog::info("actors run on the I/O thread; heap: {}", heap_allocator_name());
  else
    spdlog::info("actors run on {} scheduler threads; heap: {}", workers, heap_allocator_name());
  caf::actor_system sys{caf_cfg};
  // portUnification: the peer ports take TLS and plaintext peers (a thread of its own in
  // front of CAF's two transports). Started before any other actor: it is the one start-up
  // failure here that needs nothing stopped.
  caf::actor unified_peer_ports;
  if (cfg.is_ensemble()) {
    auto started = start_peer_port_unification(sys, cfg, clock);
    if (auto* error = std::get_if<std::string>(&started)) {
      spdlog::critical("portUnification: {}", *error);
      return 1;
    }
    unified_peer_ports = std::get<caf::actor>(started);
  }

  // Actors keep a pointer to the context and read the handles only when handling messages;
  // the handles are filled in right after spawning, before any client can connect.
  auto ctx = std::make_shared<server_context>();
  ctx->config = cfg;
  if (!recovered.snapshot_path.empty()) {
    // last_snapshot reports the snapshot recovered from until a new one is written.
    struct stat file {};
    ctx->stats->last_snapshot_zxid.store(recovered.snapshot_zxid);
    if (::stat(recovered.snapshot_path.c_str(), &file) == 0)
      ctx->stats->last_snapshot_time_s.store(static_cast<int64_t>(file.st_mtime));
  }
  ctx->clock = clock;
  ctx->disk = disk;
  ctx->flow = client::flow_limits::for_max_buffer(cfg.max_buffer, cfg.global_outstanding_limit);
  ctx->metrics->dbinittime.Observe(static_cast<double>(recovery_ms));
  ctx->metrics->startup_txns_loaded.Observe(static_cast<double>(recovered.replayed));
  auto store = sys.spawn(store_actor, ctx, tree);
  tree.reset();
  auto wm = sys.spawn(watch_manager, ctx);
  auto tracker = sys.spawn(session_expiry_actor, ctx, std::move(sessions));
  // Blocking file I/O: each on a thread of its own, never on a scheduler worker.
  auto log = sys.spawn<caf::detached>(txn_log_writer_actor, ctx, last_zxid);
  auto snaps = sys.spawn<caf::detached>(snapshotter, ctx);
  ctx->store = store;
  ctx->watch_manager = wm;
  ctx->tracker = tracker;
  ctx->sweeper = sys.spawn(container_sweeper_actor, ctx);
  ctx->log_writer = log;
  ctx->snapshotter = snaps;
  auto admin = sys.spawn(admin_actor, ctx);
  fault_injector_handle injector;
  if (options.fault_injection) {
    spdlog::warn("fault injection is enabled (--enable-fault-injection): `kill <target>` on the "
                 "client port kills actors of this server. For tests only.");
    injector = sys.spawn(fault_injector, ctx);
  }
  // A broker, dynamically typed: the others reach it through listener_handle.
  auto listener_actor = sys.middleman().spawn_broker(client_listener, ctx, admin, injector);
  auto listener = caf::actor_cast<listener_handle>(listener_actor);
  // Standalone, the pipeline stamps and logs writes; in an ensemble the quorum peer runs ZAB
  // and takes the pipeline's place for everyone who sends it writes.
  quorum_peer_handle peer;
  if (zab_state) {
    peer = sys.spawn(quorum_peer, ctx, std::move(*zab_state), listener);
    ctx->pipeline = peer;
    ctx->quorum_peer = peer;
  } else {
    ctx->pipeline = sys.spawn(proposal_pipeline, ctx, last_zxid);
  }
  caf::actor links; // dynamically typed (peer_links.hpp); published as it is
  if (zab_state) {
    if (const int advertised = this_server_peer_protocol_version();
        advertised != peer_protocol_version)
      spdlog::warn("{} is set: this server advertises peer protocol {} instead of {} (a test "
                   "hook: it links to no server of this build)",
                   test_peer_protocol_variable, advertised, peer_protocol_version);
    links = spawn_peer_links(sys, cfg, peer, snap_stream_actors{store, snaps, ctx->clock});
  }
  ctx->peer_links = caf::actor_cast<peer_links_handle>(links);

  caf::scoped_actor self{sys};
  // Every actor the server cannot do without, by the name its death is logged with. Only
  // their exits matter here, so the handles are taken dynamically typed.
  auto any = [](const auto& handle) { return caf::actor_cast<caf::actor>(handle); };
  std::vector<std::pair<caf::actor, const char*>> core{
      {any(store), "the store"},
      {any(wm), "the watch manager"},
      {any(ctx->pipeline), zab_state ? "the quorum peer" : "the proposal pipeline"},
      {any(tracker), "the session tracker"},
      {any(ctx->sweeper), "the container sweeper"},
      {any(log), "the txn log writer"},
      {any(snaps), "the snapshotter"},
      {any(admin), "the admin actor"},
      {listener_actor, "the client listener"}};
  if (links) core.emplace_back(links, "the peer links");
  if (unified_peer_ports) core.emplace_back(unified_peer_ports, "the unified peer ports");
  if (injector) core.emplace_back(any(injector), "the fault injector");
  // sslQuorumReloadCertFiles: renews the certificate copies the peer transport reads.
  if (auto reloader = spawn_quorum_tls_reloader(sys, cfg))
    core.emplace_back(reloader, "the quorum TLS reloader");
  auto stop_all = [&] {
    // A snapshot being written is abandoned (the snapshotter removes its .tmp file as it
    // exits): the previous snapshot plus the log hold everything it would have.
    for (const auto& entry : core)
      self->send_exit(entry.first, caf::exit_reason::user_shutdown);
  };

  bool bound = false;
  uint16_t bound_port = 0;
  // The plaintext client port; absent when only secureClientPort is configured.
  if (cfg.plaintext_client_port()) {
    self->request(listener, std::chrono::seconds(10), open_atom::value,
                  static_cast<uint16_t>(cfg.client_port), cfg.client_port_address)
        .receive(
            [&](uint16_t port) {
              bound = true;
              bound_port = port;
              spdlog::info(
                  "Paddock {} listening for ZooKeeper clients on {}:{} ({})", version_string,
                  cfg.client_port_address.empty() ? "0.0.0.0" : cfg.client_port_address, port,
                  cfg.is_ensemble() ? "ensemble member: serves once a leader is established"
                                    : "standalone");
            },
            [&](caf::error& err) {
              spdlog::critical("cannot listen on {}:{}: {}", cfg.client_port_address,
                               cfg.client_port, sys.render(err));
            });
    if (!bound) {
      stop_all();
      return 1;
    }
  }
  // The secure client port: TLS ends on a thread of its own (actors/tls_listener.hpp), which
  // hands each decrypted connection to the client listener. Declared after `sys`, so its
  // thread stops before the actors go.
  std::unique_ptr<tls_listener> secure_port;
  if (cfg.tls.enabled()) {
    auto made = tls::make_server_context(cfg.tls);
    if (auto* error = std::get_if<std::string>(&made)) {
      spdlog::critical("secure client port: {}", *error);
      stop_all();
      return 1;
    }
    tls_listener::options opts;
    opts.address = cfg.tls.secure_client_port_address;
    opts.port = static_cast<uint16_t>(cfg.tls.secure_client_port);
    opts.handshake_timeout_ms = cfg.sessionless_cnxn_timeout_ms;
    for (const auto* file : {&cfg.tls.key_store_location, &cfg.tls.trust_store_location})
      if (!file->empty()) opts.watched_files.push_back(*file);
    opts.remake = [tls = cfg.tls] { return tls::make_server_context(tls); };
    auto started = tls_listener::start(std::move(std::get<tls::ssl_ctx_ptr>(made)), opts,
                                       listener_actor, ctx->clock);
    if (auto* error = std::get_if<std::string>(&started)) {
      spdlog::critical("cannot listen on {}:{} (secureClientPort): {}",
                       opts.address.empty() ? "0.0.0.0" : opts.address, opts.port, *error);
      stop_all();
      return 1;
    }
    secure_port = std::move(std::get<std::unique_ptr<tls_listener>>(started));
    static constexpr const char* auth_names[] = {"none", "want", "need"};
    spdlog::info("Paddock {} listening for ZooKeeper clients over TLS on {}:{} (ssl.clientAuth={})",
                 version_string, opts.address.empty() ? "0.0.0.0" : opts.address,
                 secure_port->port(), auth_names[static_cast<int>(cfg.tls.client_auth)]);
    if (!bound) bound_port = secure_port->port();
  }
  // metricsProvider.className=...PrometheusMetricsProvider: /metrics, as ZooKeeper's provider.
  // Destroyed (it stops answering) before the actors it asks.
  std::unique_ptr<metrics::metrics_endpoint> metrics_http;
  if (cfg.metrics_enabled) {
    auto started = metrics::metrics_endpoint::start(sys, ctx, admin);
    if (auto* error = std::get_if<std::string>(&started)) {
      spdlog::critical("{}", *error);
      stop_all();
      return 1;
    }
    metrics_http = std::move(std::get<0>(started));
    spdlog::info("Prometheus /metrics on {}:{}", cfg.metrics_http_host, metrics_http->port());
  }
  if (links) {
    // ZooKeeper's two ports: peers reach this server's peer_links through either.
    if (auto error = publish_peer_links(sys, cfg, links); !error.empty()) {
      spdlog::critical("{}", error);
      stop_all();
      return 1;
    }
    const auto* me = cfg.self();
    spdlog::info("quorum port {}:{}, election port {}:{}{}{}; looking for a leader among {} "
                 "servers",
                 me->host, me->quorum_port, me->host, me->election_port,
                 cfg.quorum_tls.ssl_quorum ? " (TLS, sslQuorum=true)" : "",
                 cfg.quorum_tls.port_unification
                     ? " (portUnification=true: TLS and plaintext peers accepted; this server "
                       "connects to its peers over " +
                           std::string(cfg.quorum_tls.ssl_quorum ? "TLS" : "plaintext") + ")"
                     : std::string(),
                 cfg.servers.size());
    if (cfg.quorum_tls.ssl_quorum && !cfg.quorum_tls.hostname_verification)
      spdlog::warn("TLS between servers: a peer's certificate is verified against "
                   "ssl.quorum.trustStore.location, its host name is not (ZooKeeper's "
                   "ssl.quorum.hostnameVerification=true is not supported; set it to false "
                   "to silence this warning)");
    self->send(peer, links_atom::value, ctx->peer_links);
  }

  // The AdminServer, as ZooKeeper: a standalone server that cannot start it does not start
  // (ZooKeeperServerMain exits); an ensemble member logs it and goes on without
  // (QuorumPeer.start). Declared after `sys`, so it stops before the actors it asks.
  std::unique_ptr<admin_server> admin_http;
  if (cfg.admin_enable_server) {
    auto started = admin_server::start(sys, cfg, admin, listener_actor, ctx->store, ctx->clock);
    if (auto* error = std::get_if<std::string>(&started)) {
      if (!cfg.is_ensemble()) {
        spdlog::critical("{}; set admin.enableServer=false to run without it", *error);
        stop_all();
        return 1;
      }
      spdlog::warn("{}; going on without the AdminServer", *error);
    } else {
      admin_http = std::move(std::get<std::unique_ptr<admin_server>>(started));
      spdlog::info("AdminServer on {}:{}, commands under {}", cfg.admin_server_address,
                   admin_http->port(), cfg.admin_command_url);
    }
  }

  for (const auto& entry : core)
    self->monitor(entry.first);

  // systemd's READY=1 once the client port listens, after the recovery above. An ensemble
  // member says so before it has a leader: waiting for a quorum would block
  // `systemctl start` on the first host of an ensemble until the others start. Until a
  // leader is established it serves no client, as a ZooKeeper member without a quorum.
  const std::string where =
      (cfg.client_port_address.empty() ? std::string("0.0.0.0") : cfg.client_port_address) + ":" +
      std::to_string(bound_port);
  notify_ready(cfg.is_ensemble()
                   ? "ensemble member " + std::to_string(cfg.server_id) + " listening on " + where +
                         "; serves once a leader is established"
                   : "serving clients on " + where + " (standalone)");

  auto self_handle = caf::actor{self.ptr()};
  std::thread signal_waiter([signals, self_handle] {
    int sig = 0;
    sigwait(&signals, &sig);
    caf::anon_send(self_handle, stop_atom::value, sig);
  });

  int status = 0;
  caf::actor_addr failed; // the core actor whose stop stops the server, if one did
  self->receive([&](stop_atom, int sig) { spdlog::info("received signal {}, shutting down", sig); },
                [&](caf::down_msg& dm) {
                  failed = dm.source;
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
  notify_stopping(status == 0 ? "stopping on a signal" : "stopping: a core actor failed");
  admin_http.reset(); // waits for the requests in progress, which the actors still answer
  // Closes the ports before the actors stop: the peers, and the clients, reconnect as soon as
  // this server's links and connections go down, and a connection accepted in the round of
  // CAF's multiplexer in which its broker stops is never freed (peer_links.cpp,
  // stop_listening). Bounded: an actor that is gone answers at once.
  auto stop_accepting = [&](const caf::actor& acceptor, const char* what) {
    self->request(acceptor, std::chrono::seconds(3), caf::close_atom::value)
        .receive([](caf::ok_atom) {},
                 [&](caf::error& err) {
                   spdlog::debug("closing the {} at shutdown: {}", what, sys.render(err));
                 });
  };
  stop_accepting(listener_actor, "client port");
  if (links) stop_accepting(links, "peer ports");
  stop_all();
  std::vector<caf::actor_addr> running;
  for (const auto& entry : core)
    if (entry.first.address() != failed) running.push_back(entry.first.address());
  await_stopped(self, std::move(running));
  // Every actor of ours has stopped, so no timer is needed any more; CAF's go too. The BASP
  // broker's heartbeat tick is one: sent by the broker to itself, a tick that fires after the
  // middleman stopped the broker lands in its mailbox, which CAF 0.17 never frees (see
  // flush_peer_transport), and the broker, named as its sender, keeps itself and all it holds
  // alive (LeakSanitizer at exit). The timers are dropped again after the flush: a tick the
  // broker handles meanwhile schedules the next one.
  sys.clock().cancel_all();
  flush_peer_transport(sys, self);
  sys.clock().cancel_all();
  return status;
}

} // namespace paddock::actors
