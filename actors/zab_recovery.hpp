#pragma once
// ZAB's persistent state at start-up (zab::persistent_state), built from what recovery found on
// disk: the epoch files, the newest log records and the configuration the server last saw.
// No actors here: the server calls it once before any actor exists, and tests call it alone.
#include "config/zoo_config.hpp"
#include "protocol/zab/types.hpp"
#include "store/disk/file_system.hpp"
#include "store/disk/recovery.hpp"
#include "store/tree/data_tree.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace paddock::actors {

// The configuration a logged txn makes, if `body` (a store::txn as Protobuf) is a reconfig
// that was not refused; its version is the txn's zxid.
std::optional<zab::ensemble> reconfig_in(int64_t zxid, const std::string& body);

// The configuration `tree`'s /zookeeper/config holds, its version the node's mzxid (a reconfig
// txn, or an activation, sets both together); none while the node holds no server lines, or
// when its Stat.version is not -1 (a client's setData wrote it, not a reconfig or activation).
std::optional<zab::ensemble> config_in_tree(const store::data_tree& tree);

// The configuration the server last saw (ZooKeeper's last seen configuration): the newer of the
// newest reconfig of the log after the snapshot and the recovered tree's configuration, which
// also knows the reconfigs the snapshot holds. The log's when both have the same version.
std::optional<zab::ensemble> last_seen_config(std::optional<zab::ensemble> from_log,
                                              std::optional<zab::ensemble> from_tree);

// The epochs (ZooKeeper's acceptedEpoch / currentEpoch files in the snapshot directory; when
// missing, as ZooKeeper, the epoch of the tree's last zxid), the newest log records (moved out
// of `recovered.recent`) and the last seen configuration. `tree` is the recovered tree (the
// snapshot with the log after it applied); its configuration is looked at only with
// reconfigEnabled and a versioned active configuration (zoo.cfg names a dynamic file). None, with
// the reason logged, when the epoch files cannot be read or contradict each other.
std::optional<zab::persistent_state> load_zab_state(store::file_system& disk,
                                                    const config::server_config& cfg,
                                                    store::recovery_result& recovered,
                                                    const store::data_tree& tree);

} // namespace paddock::actors
