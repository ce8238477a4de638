#pragma once
// A server's record of its tree digest after every txn it applied, and on a learner the check
// of that record against its leader's. The leader reports (zxid, digest) for every txn it
// applied since its previous report (`since`); each learner compares every entry with its own
// digest after the same zxid, so the first entry that differs names the txn that made the
// trees differ. The leader applies a txn after it sent that zxid's COMMIT: a report may reach
// a learner before or after the learner applied the txn, so each side waits for the other.
// Also ZooKeeper's digest history for the `hash` command: every zxid that is a multiple of
// 128, the newest 1024. Pure bookkeeping; the store actor feeds it and acts on a mismatch.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace paddock::store {

struct digest_mismatch {
  int64_t zxid = 0;
  int64_t leader_digest = 0;
  int64_t own_digest = 0;
};

// What comparing one leader's report found: how many entries differed (each one counts, as in
// ZooKeeper's digest_mismatches_count) and the first of them, in zxid order.
struct digest_comparison {
  std::optional<digest_mismatch> first;
  uint64_t mismatches = 0;
};

// A leader's report: every (zxid, digest) since its previous one, oldest first, and whether
// older ones were forgotten before they could be reported (more than recent_limit txns
// applied between two reports).
struct digest_report {
  std::vector<std::pair<int64_t, int64_t>> entries;
  bool dropped_oldest = false;
};

class digest_log {
public:
  // How many applied txns' digests are kept: the leader reports them from here, a learner
  // compares the leader's late entries with them. Also the most one report carries. 65,536
  // entries of 16 bytes (1 MiB) hold more than a second of txns at 50,000 txns/s, several
  // times the 100 ms between reports plus a round trip.
  static constexpr std::size_t recent_limit = 65536;
  // How many of the leader's entries may wait for this server to apply their txn (1 MiB).
  // More are not compared: a learner that far behind gets a SNAP or a DIFF before it catches
  // up anyway.
  static constexpr std::size_t waiting_limit = 65536;
  // ZooKeeper's DataTree.DIGEST_LOG_INTERVAL and DIGEST_LOG_LIMIT.
  static constexpr int64_t history_interval = 128;
  static constexpr std::size_t history_limit = 1024;

  // This server applied `zxid` (zxids only grow) and its tree's digest is now `digest`.
  // A leader's entry that waited for it is compared now.
  std::optional<digest_mismatch> applied(int64_t zxid, int64_t digest);

  // The leader's tree had digest `d` after zxid `z`, for each (z, d), in zxid order. Each is
  // compared at once when this server applied that zxid already and still remembers its
  // digest, later when it has not applied it yet; ignored (never compared) when it is at or
  // before the zxid this tree started from, or older than what this server remembers, or a
  // zxid this server never applied.
  digest_comparison leader_digests(std::span<const std::pair<int64_t, int64_t>> entries);

  // The tree was replaced (a snapshot from the leader, a reload from disk), or the server
  // started, with one at `zxid`: what was remembered or waiting was about the old one, and
  // the leader's entries at or before `zxid` are about txns this server did not apply itself
  // (they came in the snapshot or from disk): they are ignored from now on. The `hash`
  // history goes on.
  void tree_replaced(int64_t zxid);

  // Leader: every (zxid, digest) remembered after `zxid`, at most recent_limit.
  digest_report since(int64_t zxid) const;

  // ZooKeeper's `hash`: (zxid, digest) for every applied zxid that is a multiple of 128.
  const std::deque<std::pair<int64_t, int64_t>>& history() const { return history_; }
  // Entries compared so far (matching or not), for the tests and the log.
  uint64_t compared() const { return compared_; }
  std::size_t waiting() const { return waiting_.size(); }

private:
  std::optional<digest_mismatch> compare(int64_t zxid, int64_t leader, int64_t own);
  void leader_digest(int64_t zxid, int64_t digest, digest_comparison& out);

  std::deque<std::pair<int64_t, int64_t>> recent_;  // (zxid, digest), oldest first
  std::deque<std::pair<int64_t, int64_t>> waiting_; // leader's (zxid, digest), by zxid
  std::deque<std::pair<int64_t, int64_t>> history_;
  int64_t floor_ = -1;     // the zxid the tree started from (tree_replaced)
  int64_t forgotten_ = -1; // the newest zxid dropped from recent_ for its limit
  uint64_t compared_ = 0;
};

} // namespace paddock::store
