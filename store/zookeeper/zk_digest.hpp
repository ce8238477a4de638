#pragma once
// ZooKeeper's tree digest (3.6+, zookeeper.digest.enabled, DigestCalculator version 2): the
// sum, wrapping, of one CRC-32 per znode over its path ("" for the root), its data (none when
// null) and 60 bytes of its Stat (czxid, mzxid, pzxid, ctime, mtime, version, cversion,
// aversion, ephemeralOwner; big-endian). Znodes under "/zookeeper/" count 0: ZooKeeper keeps
// them out. Snapshots carry the digest of one zxid and, in 3.6+, every log record the digest
// after its txn, so an import can check its replay against ZooKeeper's own figures.
#include "store/zookeeper/zk_tree.hpp"

#include <cstdint>
#include <string_view>

namespace paddock::store::zookeeper {

inline constexpr int32_t zk_digest_version = 2;

uint32_t crc32_update(uint32_t crc, std::string_view bytes); // java.util.zip.CRC32
int64_t node_digest(std::string_view path, std::string_view data, bool data_is_null,
                    const stat_persisted& stat);
// The whole tree's digest, computed from scratch.
int64_t tree_digest(const zk_tree& tree);

} // namespace paddock::store::zookeeper
