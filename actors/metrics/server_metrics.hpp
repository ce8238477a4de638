#pragma once
// The figures behind /metrics that the four-letter words do not already gather: ZooKeeper's
// summaries and counters (ServerMetrics), observed where Paddock has the same point, and the
// leader's view of its learners. One instance per server, in server_context; actors record
// into it with atomics or one summary observation, never a lock of their own.
//
// Summaries: ZooKeeper's Prometheus provider exports an ADVANCED summary with the quantiles
// 0.5, 0.9 and 0.99 and a BASIC one with 0.5 only, both over a sliding 10-minute window
// (the Java client's default), plus _sum and _count. prometheus-cpp's Summary is the same
// CKMS estimator; an observation takes its mutex for well under a microsecond.
#include "actors/metrics/bucketed_summary.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/summary.h>

namespace paddock::actors::metrics {

// ZooKeeper's BufferStats: the last, smallest and largest size seen, -1 before the first.
class size_stats {
public:
  void record(int64_t size);
  int64_t last() const { return last_.load(std::memory_order_relaxed); }
  int64_t min() const { return min_.load(std::memory_order_relaxed); }
  int64_t max() const { return max_.load(std::memory_order_relaxed); }

private:
  std::atomic<int64_t> last_{-1};
  std::atomic<int64_t> min_{-1};
  std::atomic<int64_t> max_{-1};
};

// What only a leader knows, published by the quorum peer at each tick (every 50 ms) and at
// every role change, for mntr's and /metrics' leader gauges.
struct leader_state {
  std::atomic<bool> leading{false}; // leading and serving clients
  std::atomic<int64_t> learners{0};
  std::atomic<int64_t> synced_followers{0};
  std::atomic<int64_t> synced_non_voting_followers{0};
  std::atomic<int64_t> synced_observers{0};
  std::atomic<int64_t> pending_syncs{0};
  std::atomic<int64_t> started_ms{0}; // when it started leading, on the server's monotonic clock
  size_stats proposal_size;           // serialized txn of each proposal
};

// The summaries observed per request or per txn (bucketed_summary), collected for /metrics
// beside the registry's families.
class per_op_summaries : public prometheus::Collectable {
public:
  bucketed_summary& add(std::string name, std::vector<double> quantiles);
  std::vector<prometheus::MetricFamily> Collect() const override;

private:
  std::deque<std::pair<std::string, bucketed_summary>> summaries_; // never moved once added
};

class server_metrics {
public:
  server_metrics();
  server_metrics(const server_metrics&) = delete;
  server_metrics& operator=(const server_metrics&) = delete;

  // Everything below, for the /metrics endpoint to collect.
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
  std::shared_ptr<per_op_summaries> summaries() const { return summaries_; }

private:
  // First: the references below live in them.
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<per_op_summaries> summaries_;

public:
  // --- ZooKeeper's summaries, in ms unless said otherwise ---
  bucketed_summary& readlatency;                  // a read: received to answered (ADVANCED)
  bucketed_summary& updatelatency;                // a write: received to answered (ADVANCED)
  prometheus::Summary& fsynctime;                 // one fsync of the txn log
  prometheus::Summary& sync_processor_batch_size; // txns written per fsync (a count)
  prometheus::Summary& snapshottime;              // writing one snapshot
  prometheus::Summary& dbinittime;                // recovering the tree at start
  prometheus::Summary& startup_txns_loaded;       // log records replayed at start (a count)
  prometheus::Summary& election_time;             // looking until a leader is chosen
  prometheus::Summary& follower_sync_time;        // follower: leader chosen until serving
  prometheus::Summary& observer_sync_time;        // observer: the same
  // A committed txn: the leader's clock when it stamped it until this server applies it
  // (wall clocks of two servers: as ZooKeeper, only non-negative values are kept).
  bucketed_summary& propagation_latency; // ADVANCED
  // The same span measured when the txn commits: on the leader when a quorum acked it, on a
  // learner when the leader's COMMIT (INFORM) arrived (both ADVANCED).
  bucketed_summary& quorum_ack_latency;
  bucketed_summary& commit_propagation_latency;
  // --- ZooKeeper's counters ---
  prometheus::Counter& looking_count;  // times this server started looking for a leader
  prometheus::Counter& diff_count;     // leader: learners synced by DIFF (or TRUNC)
  prometheus::Counter& snap_count;     // leader: learners synced by SNAP
  prometheus::Counter& proposal_count; // leader: proposals made
  prometheus::Counter& commit_count;   // leader: proposals committed

  leader_state leader;

  // --- Paddock's own ---
  // paddock_mailbox_depth{actor=...}: the messages an actor has taken in from its mailbox and
  // not handled yet, when it last took one from the write or read path. Idle, it reads 0; a
  // number that stays high names the actor a backlog forms in front of (the store, the ZAB
  // peer, the log writer, ...).
  struct mailbox_depths {
    prometheus::Gauge& store;
    prometheus::Gauge& quorum_peer;
    prometheus::Gauge& proposal_pipeline; // standalone: the leader's pipeline without peers
    prometheus::Gauge& log_writer;
    prometheus::Gauge& watch_manager;
  };
  mailbox_depths mailbox_depth;
};

// Reads the depth on the actor's own thread (CAF's mailbox has one consumer) and publishes
// it through the gauge's atomic. Only the queue's counter is read: CAF 0.17 takes the
// messages that arrived meanwhile in rounds, and mailbox().size() would take them in here,
// in the middle of the round that is handling this message, which corrupts the queue
// (UBSan caught it). So the messages that arrived since the current round began are not
// counted; the next round's first message counts them.
template <class Self> void record_mailbox_depth(Self* self, prometheus::Gauge& gauge) {
  gauge.Set(static_cast<double>(self->mailbox().queue().total_task_size()));
}

} // namespace paddock::actors::metrics
