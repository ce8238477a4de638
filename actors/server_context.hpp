#pragma once
// What every actor of one server needs to find the others, and the counters the
// four-letter words report. Set up once by server.cpp before the first client connects.
#include "config/zoo_config.hpp"

#include <atomic>
#include <caf/actor.hpp>
#include <cstdint>
#include <memory>

namespace paddock::actors {

// Counters shared by all sessions, as ZooKeeper's ServerStats. Relaxed atomics: they are
// statistics, read by the four-letter words, never used to decide anything.
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
  // Ensemble: the ZAB role as an int (zab::role), -1 standalone. For the four-letter words.
  std::atomic<int> zab_mode{-1};

  void record_latency(uint64_t us);
  void reset(); // srst / crst
};

struct server_context {
  config::server_config config;
  std::shared_ptr<server_stats> stats = std::make_shared<server_stats>();
  caf::actor pipeline;
  caf::actor store;
  caf::actor watch_manager;
  caf::actor tracker;
  caf::actor sweeper; // the container / TTL sweeper
  caf::actor log_writer;
  caf::actor snapshotter;
  caf::actor peer_links; // ensemble only
  // The pid of the process writing a snapshot (0: none). On shutdown the server kills it
  // rather than wait: the half-written .tmp file is removed at the next start.
  std::shared_ptr<std::atomic<int>> snapshot_writer = std::make_shared<std::atomic<int>>(0);
};

using context_ptr = std::shared_ptr<const server_context>;

} // namespace paddock::actors
