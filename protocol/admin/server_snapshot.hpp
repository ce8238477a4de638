#pragma once
// The figures a server gathers for the four-letter words, the AdminServer and /metrics: its
// counters, the store's and the watch manager's counts, the leader's view of its learners.
// Plain data; protocol/admin/ formats it, actors/admin.cpp fills it.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace paddock::admin {

// One client connection, as ZooKeeper's ServerCnxn.dumpConnectionInfo prints it.
struct connection_info {
  std::string remote; // "/127.0.0.1:40212", with ZooKeeper's leading slash
  int64_t queued = 0; // requests in flight
  int64_t received = 0;
  int64_t sent = 0;
  int64_t session_id = 0; // 0 before the handshake completes
  std::string last_op = "NA";
  int64_t established_ms = 0;
  int32_t timeout_ms = 0;
  int64_t last_cxid = -1;
  int64_t last_zxid = -1;
  int64_t last_response_ms = 0;
  int64_t last_latency_ms = 0;
  int64_t min_latency_ms = 0;
  double avg_latency_ms = 0;
  int64_t max_latency_ms = 0;
};

// What only the leader knows, as ZooKeeper's LeaderZooKeeperServer.registerMetrics reports
// it: learner handlers, synced followers and observers, pending syncs, proposal sizes.
struct leader_figures {
  int64_t learners = 0;                    // learner connections (followers and observers)
  int64_t synced_followers = 0;            // voting followers past sync, receiving proposals
  int64_t synced_non_voting_followers = 0; // followers outside the voting view, past sync
  int64_t synced_observers = 0;            // observers past sync
  int64_t pending_syncs = 0;               // client syncs waiting for their quorum
  int64_t uptime_ms = 0;                   // since this server became leader
  // Serialized size of the proposals sent (ZooKeeper's BufferStats: -1 before the first).
  int64_t last_proposal_size = -1;
  int64_t min_proposal_size = -1;
  int64_t max_proposal_size = -1;
};

struct server_snapshot {
  std::string version; // zk_version / "Zookeeper version:"
  std::string mode = "standalone";
  int64_t zxid = 0;
  // The tree digest after `zxid`, read from the store together with it; none when
  // digest.enabled=false.
  std::optional<int64_t> digest;
  uint64_t digest_mismatches = 0; // zk_digest_mismatches_count
  // hash: (zxid, digest) of every applied zxid that is a multiple of 128, the newest 1024.
  std::vector<std::pair<int64_t, int64_t>> digest_history;
  uint64_t node_count = 0;
  int64_t min_latency_ms = 0;
  double avg_latency_ms = 0;
  int64_t max_latency_ms = 0;
  uint64_t packets_received = 0;
  uint64_t packets_sent = 0;
  int64_t alive_connections = 0;
  int64_t outstanding_requests = 0;
  uint64_t watch_count = 0;      // mntr zk_watch_count: data and child watches
  uint64_t data_watch_count = 0; // wchs "Total watches": data watches only, as 3.8
  uint64_t watched_paths = 0;
  uint64_t watching_connections = 0;
  uint64_t ephemerals_count = 0;
  uint64_t approximate_data_size = 0;
  uint64_t global_sessions = 0;
  int64_t local_sessions = 0;         // read-only mode's sessions (all others are global)
  int64_t open_file_descriptors = -1; // -1: unknown, the key is left out
  int64_t max_file_descriptors = -1;
  int64_t uptime_ms = 0;
  // Ensemble only: the voters in the active configuration (ZooKeeper's quorum_size).
  std::optional<int64_t> quorum_size;
  // Present on the leader only, as ZooKeeper's leader gauges.
  std::optional<leader_figures> leader;
  uint64_t data_dir_size = 0;
  uint64_t log_dir_size = 0;
  std::vector<connection_info> connections;                // cons, stat
  std::vector<std::pair<std::string, std::string>> config; // conf, in order
  // conf of an ensemble member: "membership: " and the active configuration's lines, as
  // /zookeeper/config holds them (version=<hex> last, no newline after it, as 3.8).
  std::string membership;
  std::vector<std::pair<std::string, std::string>> environment;                 // envi, in order
  std::vector<std::pair<int64_t, std::vector<std::string>>> watches_by_session; // wchc
  std::vector<std::pair<std::string, std::vector<int64_t>>> watches_by_path;    // wchp
};

} // namespace paddock::admin
