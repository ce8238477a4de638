#pragma once
// ZooKeeper's tree digest (3.6+, digest.enabled, DigestCalculator version 2), the one value
// two servers compare to tell whether their trees are the same: the sum, wrapping like a Java
// long, of one CRC-32 per znode over its path ("" for the root), its data (nothing when null)
// and 60 bytes of its StatPersisted (czxid, mzxid, pzxid, ctime, mtime, version, cversion,
// aversion, ephemeralOwner; big-endian). Znodes under "/zookeeper/" count 0: ZooKeeper keeps
// them out (the quota stats and /zookeeper/config are written outside the txn order).
// A sum of per-node terms, so the data tree keeps it incrementally: a change takes the
// node's old term out and puts the new one in.
#include "store/tree/data_tree.hpp"

#include <cstdint>
#include <string_view>

namespace paddock::store {

inline constexpr int32_t tree_digest_version = 2;

uint32_t crc32_update(uint32_t crc, std::string_view bytes); // java.util.zip.CRC32
// One znode's term. Reads the path, the data and the Stat fields of `n`; not its ACL (an ACL
// change still moves the term: aversion).
int64_t node_digest(const znode_image& n);
// The whole tree's digest computed from scratch, whatever data_tree::digest() holds.
int64_t compute_tree_digest(const data_tree& tree);

} // namespace paddock::store
