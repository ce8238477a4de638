#pragma once
// Moving a ZooKeeper data directory into Paddock and back (docs/operator-guide.md, "Moving
// from ZooKeeper"). Import reads what ZooKeeper's own start-up would: the newest snapshot
// that loads whole (older ones when it does not), then every logged txn after it, replayed
// as ZooKeeper replays them; it writes the tree as one Paddock snapshot, with /zookeeper/config
// as a fresh tree holds it (ZooKeeper's membership is not this ensemble's). Export writes a
// Paddock data dir's tree as one ZooKeeper snapshot. Both build the result in a temporary
// directory next to the target and rename it into place at the end: never half a result.
#include "store/tree/data_tree.hpp"
#include "store/zookeeper/zk_tree.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace paddock::store::zookeeper {

struct migration_result {
  // 0 done; 2 refused (damaged or missing input, a non-empty target); 1 an I/O failure.
  int exit_code = 0;
  std::string message;
  std::vector<std::string> notes; // what was skipped or cut, for the log
};

// `from`: ZooKeeper's dataDir or its version-2 folder; `from_log`: its dataLogDir when that
// differs (empty: the same). `to`: the Paddock dataDir to create (absent or empty).
// `max_inflated_snapshot`: the most bytes a compressed snapshot (.gz, .snappy) may inflate to
// (0: half this machine's memory, inflated_snapshot_limit()); one that would inflate to
// more is skipped as damaged, and an older snapshot tried.
migration_result import_zookeeper(const std::string& from, const std::string& from_log,
                                  const std::string& to, size_t max_inflated_snapshot = 0);

// Half this machine's physical memory: a snapshot larger than that could not be loaded beside
// its tree anyway, and deflate expands about 1,000 to 1, so a small crafted or damaged .gz
// must not be allowed to take the rest.
size_t inflated_snapshot_limit();

// `from`: a Paddock dataDir (`from_log`: its dataLogDir when that differs); `to`: the
// ZooKeeper dataDir to create (absent or empty), which gets version-2/snapshot.<zxid> and the
// epoch files.
migration_result export_zookeeper(const std::string& from, const std::string& from_log,
                                  const std::string& to);

// The imported tree as Paddock's: every znode parent-first, sessions with ZooKeeper's
// passwords, the last zxid. False (with `error`) when a znode cannot be placed.
bool to_data_tree(const zk_tree& in, data_tree& out, std::string& error);

} // namespace paddock::store::zookeeper
