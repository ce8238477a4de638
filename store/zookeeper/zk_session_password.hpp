#pragma once
// The password ZooKeeper gives session `id`: ZooKeeperServer.generatePasswd, 16 bytes of
// java.util.Random seeded with id ^ 0xB3415C00. ZooKeeper never stores it, it recomputes it;
// an imported session gets the same one, so its client reconnects to Paddock with what
// ZooKeeper told it.
#include <cstdint>
#include <string>

namespace paddock::store::zookeeper {

inline std::string zk_session_password(int64_t id) {
  constexpr uint64_t multiplier = 0x5DEECE66DULL;
  constexpr uint64_t mask = (uint64_t{1} << 48) - 1;
  uint64_t seed = (static_cast<uint64_t>(id ^ 0xB3415C00LL) ^ multiplier) & mask;
  auto next_int = [&] {
    seed = (seed * multiplier + 0xB) & mask;
    return static_cast<uint32_t>(seed >> 16);
  };
  std::string out(16, '\0');
  for (size_t i = 0; i < out.size();) {
    uint32_t rnd = next_int();
    for (int n = 0; n < 4 && i < out.size(); ++n, rnd >>= 8)
      out[i++] = static_cast<char>(rnd & 0xff);
  }
  return out;
}

} // namespace paddock::store::zookeeper
