#include "store/zookeeper/zk_digest.hpp"

#include <array>

namespace paddock::store::zookeeper {

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

int64_t node_digest(std::string_view path, std::string_view data, bool data_is_null,
                    const stat_persisted& stat) {
  if (path.starts_with("/zookeeper/")) return 0;
  if (path == "/") path = "";
  char stat_bytes[60];
  char* p = stat_bytes;
  put64(p, stat.czxid);
  put64(p, stat.mzxid);
  put64(p, stat.pzxid);
  put64(p, stat.ctime);
  put64(p, stat.mtime);
  put32(p, stat.version);
  put32(p, stat.cversion);
  put32(p, stat.aversion);
  put64(p, stat.ephemeral_owner);
  uint32_t crc = crc32_update(0, path);
  if (!data_is_null) crc = crc32_update(crc, data);
  crc = crc32_update(crc, std::string_view(stat_bytes, sizeof stat_bytes));
  return static_cast<int64_t>(crc);
}

int64_t tree_digest(const zk_tree& tree) {
  uint64_t sum = 0; // Java's long addition wraps
  for (const auto& [path, n] : tree.nodes)
    sum += static_cast<uint64_t>(node_digest(path, n.data, n.data_is_null, n.stat));
  return static_cast<int64_t>(sum);
}

} // namespace paddock::store::zookeeper
