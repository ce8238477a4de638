#include "store/tree/tree_digest.hpp"

#include <array>

namespace paddock::store {

namespace {

constexpr std::array<uint32_t, 256> crc_table = [] {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}();

void put64(char*& p, int64_t v) {
  for (int i = 7; i >= 0; --i)
    *p++ = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
}
void put32(char*& p, int32_t v) {
  for (int i = 3; i >= 0; --i)
    *p++ = static_cast<char>((static_cast<uint32_t>(v) >> (8 * i)) & 0xff);
}

} // namespace

uint32_t crc32_update(uint32_t crc, std::string_view bytes) {
  crc = ~crc;
  for (unsigned char b : bytes)
    crc = crc_table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

int64_t node_digest(const znode_image& n) {
  std::string_view path = n.path;
  if (path.starts_with("/zookeeper/")) return 0;
  if (path == "/") path = "";
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
  uint32_t crc = crc32_update(0, path);
  if (!n.data_is_null) crc = crc32_update(crc, n.data);
  crc = crc32_update(crc, std::string_view(stat_bytes, sizeof stat_bytes));
  return static_cast<int64_t>(crc);
}

int64_t compute_tree_digest(const data_tree& tree) {
  uint64_t sum = 0; // Java's long addition wraps
  tree.for_each_node([&](const znode_image& n) { sum += static_cast<uint64_t>(node_digest(n)); });
  return static_cast<int64_t>(sum);
}

} // namespace paddock::store
