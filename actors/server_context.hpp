#pragma once
// What every actor of one server needs to find the others, the clock they all read, and the
// counters the four-letter words report. Set up once by server.cpp before the first client
// connects.
#include "actors/messages/admin.hpp"
#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/pipeline.hpp"
#include "actors/messages/sessions.hpp"
#include "actors/messages/store.hpp"
#include "actors/metrics/server_metrics.hpp"
#include "actors/system_clock.hpp"
#include "config/zoo_config.hpp"
#include "protocol/client/flow_control.hpp"
#include "protocol/clock/source.hpp"
#include "store/disk/posix_file_system.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace paddock::actors {

// Figures shared by all actors of the server, as ZooKeeper's ServerStats. Relaxed atomics:
// each is written by one actor and read by others that need no ordering with anything else.
// Most are statistics the four-letter words report; last_applied_zxid also decides whether a
// client's handshake is accepted (a client that has seen a later zxid is refused), and
// zab_mode what the four-letter words answer while no leader is established.
struct server_stats {
  std::atomic<uint64_t> packets_received{0};
  std::atomic<uint64_t> packets_sent{0};
  std::atomic<int64_t> outstanding_requests{0};
  std::atomic<int64_t> alive_connections{0};
  std::atomic<uint64_t> latency_count{0};
  std::atomic<uint64_t> latency_total_us{0};
  std::atomic<uint64_t> latency_min_us{UINT64_MAX};
  std::atomic<uint64_t> latency_max_us{0};
  // The zxid of the last txn the store applied; read by the handshake (lastZxidSeen check).
  std::atomic<int64_t> last_applied_zxid{0};
  // Ensemble: the ZAB role as an int (zab::role) while this server serves clients, looking
  // while it does not; -1 standalone. For the four-letter words.
  std::atomic<int> zab_mode{-1};
  // Ensemble with readonlymode.enabled: the client listener serves read-only clients now (no
  // quorum). The four-letter words then answer as ZooKeeper's read-only server (Mode:
  // read-only, isro "ro").
  std::atomic<bool> read_only{false};
  // Local sessions alive (read-only mode makes them), for mntr's local_sessions.
  std::atomic<int64_t> local_sessions{0};
  // ZooKeeper's digest_mismatches_count: reports of the leader's tree digest this learner's
  // tree disagreed with (store actor). Never reset: srst resets ServerStats only.
  std::atomic<uint64_t> digest_mismatches{0};
  // Ensemble: the ZAB role as an int (zab::role) whether serving or not, and the leader's id
  // (-1 while none is known). For the AdminServer's leader and zabstate commands.
  std::atomic<int> zab_role{-1};
  std::atomic<int64_t> leader_id{-1};
  // The newest snapshot written (or, until one is, the one recovered from): its zxid and
  // when it was finished, in seconds since the epoch; -1 for none. For last_snapshot.
  std::atomic<int64_t> last_snapshot_zxid{-1};
  std::atomic<int64_t> last_snapshot_time_s{-1};

  void record_latency(uint64_t us);
  void reset(); // srst / crst

  // Ensemble: the active configuration as /zookeeper/config holds it (server lines, then
  // version=<hex>), for conf's "membership:". Set by the quorum peer when one activates.
  void set_membership(std::string text);
  std::string membership() const;

private:
  mutable std::mutex membership_mutex_;
  std::string membership_;
};

struct server_context {
  config::server_config config;
  // What one client connection may make the server hold (from jute.maxbuffer and
  // globalOutstandingLimit); connections keep a reference to it.
  client::flow_limits flow;
  std::shared_ptr<server_stats> stats = std::make_shared<server_stats>();
  // ZooKeeper's summaries and counters and the leader's gauges, for /metrics and mntr
  // (actors/metrics/server_metrics.hpp).
  std::shared_ptr<metrics::server_metrics> metrics = std::make_shared<metrics::server_metrics>();
  // The one clock every actor reads (protocol/clock/source.hpp): the OS's in the server, a
  // clock::manual in tests. Nothing in actors/ reads std::chrono's clocks itself.
  std::shared_ptr<const paddock::clock::source> clock = std::make_shared<system_clock>();
  // Every file the actors write or read (txn log, snapshots, epoch files, truncation,
  // purging) goes through this: the real file system, or a test's fault-injecting one.
  std::shared_ptr<store::file_system> disk = std::make_shared<store::posix_file_system>();
  // Typed handles (actors/messages/): each sender can send only what its receiver takes.
  // Standalone, `pipeline` is the proposal pipeline; in an ensemble the quorum peer, which is
  // also `quorum_peer` for what only it takes.
  pipeline_handle pipeline;
  store_handle store;
  watch_manager_handle watch_manager;
  session_expiry_handle tracker; // ZooKeeper's SessionTracker
  container_sweeper_handle sweeper;
  txn_log_writer_handle log_writer;
  snapshotter_handle snapshotter;
  quorum_peer_handle quorum_peer; // ensemble only
  peer_links_handle peer_links;   // ensemble only
};

using context_ptr = std::shared_ptr<const server_context>;

} // namespace paddock::actors
