#pragma once
// ZooKeeper's tree digest over ZooKeeper's own tree (zk_tree), for the import check. The
// per-znode term is the data tree's (store/tree/tree_digest.hpp): one definition, so a
// Paddock tree and the ZooKeeper tree it was converted from have the same digest. Snapshots
// carry the digest of one zxid and, in 3.6+, every log record the digest after its txn, so an
// import can check its replay against ZooKeeper's own figures.
#include "store/tree/tree_digest.hpp"
#include "store/zookeeper/zk_tree.hpp"

#include <cstdint>
#include <string_view>

namespace paddock::store::zookeeper {

inline constexpr int32_t zk_digest_version = tree_digest_version;

using store::crc32_update; // java.util.zip.CRC32
int64_t node_digest(std::string_view path, std::string_view data, bool data_is_null,
                    const stat_persisted& stat);
// The whole tree's digest, computed from scratch.
int64_t tree_digest(const zk_tree& tree);

} // namespace paddock::store::zookeeper
