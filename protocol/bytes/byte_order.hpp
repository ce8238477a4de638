#pragma once
// Fixed-width integers in byte buffers, in the two orders Paddock meets: big-endian, as Java's
// DataOutput writes them (jute on the wire, ZooKeeper's files, snappy-java's framing), and
// little-endian (Paddock's own txn log and snapshot frames). A load reads 4 or 8 bytes at `p`:
// the caller has checked that they are there. Header-only and dependency-free, so every folder
// may use it; the compiler turns each into one load or store and a byte swap.
#include <cstdint>

namespace paddock::bytes {

inline uint32_t load_be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}

inline uint64_t load_be64(const char* p) {
  return (uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}

inline uint32_t load_le32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | (uint32_t{u[1]} << 8) | (uint32_t{u[2]} << 16) | (uint32_t{u[3]} << 24);
}

inline uint64_t load_le64(const char* p) {
  return uint64_t{load_le32(p)} | (uint64_t{load_le32(p + 4)} << 32);
}

inline void store_be32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<char>(v >> (8 * (3 - i)));
}

inline void store_be64(char* p, uint64_t v) {
  store_be32(p, static_cast<uint32_t>(v >> 32));
  store_be32(p + 4, static_cast<uint32_t>(v));
}

inline void store_le32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<char>(v >> (8 * i));
}

inline void store_le64(char* p, uint64_t v) {
  store_le32(p, static_cast<uint32_t>(v));
  store_le32(p + 4, static_cast<uint32_t>(v >> 32));
}

} // namespace paddock::bytes
