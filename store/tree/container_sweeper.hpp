#pragma once
// Which container and TTL znodes the leader's sweeper should delete now: ZooKeeper's
// ContainerManager.getCandidates, with no clock and no actor (the caller passes "now").
// - a container is a candidate when it has no children and has had one (stored cversion > 0):
//   a container created just before a sweep is not deleted before anyone used it;
// - a TTL znode is a candidate when it has no children and now - mtime > its TTL.
// ZooKeeper's znode.container.maxNeverUsedIntervalMs (default 0: never-used containers live
// forever) is not implemented.
// The candidates are only proposals: each becomes a deleteContainer txn that data_tree::apply
// checks again (still empty, still a container / expired TTL) at the txn's time.
#include "store/tree/data_tree.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace paddock::store {

// At most `limit` paths (containers first, then TTL znodes, each sorted) so one pass never
// floods the pipeline; the rest come in the next pass.
std::vector<std::string> sweep_candidates(const data_tree& tree, int64_t now_ms, size_t limit);

// ZooKeeper's znode.container.maxPerMinute spaces deletions 60000 / maxPerMinute ms apart.
// Paddock deletes in batches, one per check interval: this many per pass (at least one).
size_t sweep_limit_per_pass(int64_t check_interval_ms, int64_t max_per_minute);

} // namespace paddock::store
