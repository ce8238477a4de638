#include "store/tree/tree_digest.hpp"

#include "protocol/bytes/byte_order.hpp"

#include <algorithm>
#include <zlib.h>

namespace paddock::store {

namespace {

// Big-endian, as Java's DataOutput writes the Stat fields ZooKeeper hashes.
void put64(char*& p, int64_t v) {
  bytes::store_be64(p, static_cast<uint64_t>(v));
  p += 8;
}
void put32(char*& p, int32_t v) {
  bytes::store_be32(p, static_cast<uint32_t>(v));
  p += 4;
}

} // namespace

// zlib's crc32 is java.util.zip.CRC32 (the same polynomial, the same pre- and
// post-conditioning), several bytes per step rather than a table lookup per byte: the
// digest costs two of these per changed znode on every server.
uint32_t crc32_update(uint32_t crc, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = static_cast<uInt>(std::min<size_t>(bytes.size(), 1U << 30));
    crc = static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), n));
    bytes.remove_prefix(n);
  }
  return crc;
}

node_digest_prefix node_digest_prefix_of(std::string_view path, std::string_view data,
                                         bool data_is_null) {
  if (path.starts_with("/zookeeper/")) return {false, 0};
  if (path == "/") path = "";
  uint32_t crc = crc32_update(0, path);
  if (!data_is_null) crc = crc32_update(crc, data);
  return {true, crc};
}

int64_t node_digest_with_stat(const node_digest_prefix& prefix, const znode_image& n) {
  if (!prefix.counted) return 0;
  char stat_bytes[60];
  char* p = stat_bytes;
  put64(p, n.czxid);
  put64(p, n.mzxid);
  put64(p, n.pzxid);
  put64(p, n.ctime);
  put64(p, n.mtime);
  put32(p, n.version);
  put32(p, n.cversion);
  put32(p, n.aversion);
  put64(p, n.ephemeral_owner);
  return static_cast<int64_t>(
      crc32_update(prefix.crc, std::string_view(stat_bytes, sizeof stat_bytes)));
}

int64_t node_digest(const znode_image& n) {
  return node_digest_with_stat(node_digest_prefix_of(n.path, n.data, n.data_is_null), n);
}

int64_t compute_tree_digest(const data_tree& tree) {
  uint64_t sum = 0; // Java's long addition wraps
  tree.for_each_node([&](const znode_image& n) { sum += static_cast<uint64_t>(node_digest(n)); });
  return static_cast<int64_t>(sum);
}

} // namespace paddock::store
