#pragma once
// A learner's check of its tree against its leader's: the digests of the txns this server
// applied last (by zxid), and the leader's digests that wait for this server to apply their
// zxid. The leader reports the digest of its tree after a zxid once it applied it, which is
// after it sent that zxid's COMMIT: the report may reach a learner before or after the
// learner applied the txn, so each side waits for the other. Also ZooKeeper's digest
// history for the `hash` command: every zxid that is a multiple of 128, the newest 1024.
// Pure bookkeeping; the store actor feeds it and acts on a mismatch.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace paddock::store {

struct digest_mismatch {
  int64_t zxid = 0;
  int64_t leader_digest = 0;
  int64_t own_digest = 0;
};

class digest_log {
public:
  // How many applied txns' digests are kept to compare a late report with, and how many
  // reports may wait for their txn (more are not compared: a learner that far behind
  // applies a SNAP or a DIFF before it catches up anyway).
  static constexpr std::size_t recent_limit = 4096;
  static constexpr std::size_t waiting_limit = 1024;
  // ZooKeeper's DataTree.DIGEST_LOG_INTERVAL and DIGEST_LOG_LIMIT.
  static constexpr int64_t history_interval = 128;
  static constexpr std::size_t history_limit = 1024;

  // This server applied `zxid` (zxids only grow) and its tree's digest is now `digest`.
  // A leader's report that waited for it is compared now.
  std::optional<digest_mismatch> applied(int64_t zxid, int64_t digest);

  // The leader's tree had `digest` after `zxid`. Compared at once when this server applied
  // that zxid already and still remembers its digest, later when it has not applied it yet;
  // dropped (never compared) when it is older than what this server remembers.
  std::optional<digest_mismatch> leader_digest(int64_t zxid, int64_t digest);

  // The tree was replaced (a snapshot from the leader, a reload from disk): what was
  // remembered or waiting was about the old one. The `hash` history goes on.
  void tree_replaced();

  // ZooKeeper's `hash`: (zxid, digest) for every applied zxid that is a multiple of 128.
  const std::deque<std::pair<int64_t, int64_t>>& history() const { return history_; }
  // Reports compared so far (matching or not), for the tests and the log.
  uint64_t compared() const { return compared_; }

private:
  std::optional<digest_mismatch> compare(int64_t zxid, int64_t leader, int64_t own);

  std::deque<std::pair<int64_t, int64_t>> recent_;  // (zxid, digest), oldest first
  std::deque<std::pair<int64_t, int64_t>> waiting_; // leader's (zxid, digest), by zxid
  std::deque<std::pair<int64_t, int64_t>> history_;
  uint64_t compared_ = 0;
};

} // namespace paddock::store
