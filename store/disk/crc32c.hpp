#pragma once
// CRC32C (Castagnoli, the polynomial of iSCSI, ext4 and LevelDB's log): guards every record
// of the txn log and of snapshots. Hardware (SSE4.2) when the CPU has it, a table otherwise;
// both give the same value.
#include <cstdint>
#include <span>
#include <string_view>

namespace paddock::store {

// Extends `crc` (the value of a previous call, or 0 to start) over `bytes`.
uint32_t crc32c_extend(uint32_t crc, std::span<const char> bytes);

inline uint32_t crc32c(std::string_view bytes) {
  return crc32c_extend(0, std::span<const char>(bytes.data(), bytes.size()));
}

} // namespace paddock::store
