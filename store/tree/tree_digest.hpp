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

// The term in two steps, for a change of a znode's Stat alone (a child created or deleted, an
// ACL set): the CRC runs over the path, then the data, then the Stat, so its state after the
// path and the data is computed once and carried on over the old and the new Stat. A parent
// with a megabyte of data then costs one pass over it per child created, not two.
struct node_digest_prefix {
  bool counted = true; // false under /zookeeper/, whose terms are 0
  uint32_t crc = 0;    // over the path and the data
};
node_digest_prefix node_digest_prefix_of(std::string_view path, std::string_view data,
                                         bool data_is_null);
// The term of a znode whose path and data gave `prefix`, with `n`'s Stat (its path and data
// are not read).
int64_t node_digest_with_stat(const node_digest_prefix& prefix, const znode_image& n);
// The whole tree's digest computed from scratch, whatever data_tree::digest() holds.
int64_t compute_tree_digest(const data_tree& tree);

} // namespace paddock::store
