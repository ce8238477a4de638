#pragma once
// CreateMode flags and the meaning of a znode's ephemeralOwner (EphemeralType), as
// ZooKeeper 3.8 encodes them with zookeeper.extendedTypesEnabled=true (TTL znodes on).
#include <cstdint>
#include <optional>

namespace paddock::store {

struct create_mode_info {
  bool ephemeral = false;
  bool sequential = false;
  bool container = false;
  bool ttl = false;
};

// CreateMode.fromFlag: 0..6; anything else is BadArguments.
inline std::optional<create_mode_info> parse_create_mode(int32_t flags) {
  switch (flags) {
  case 0: return create_mode_info{};
  case 1: return create_mode_info{.ephemeral = true};
  case 2: return create_mode_info{.sequential = true};
  case 3: return create_mode_info{.ephemeral = true, .sequential = true};
  case 4: return create_mode_info{.container = true};
  case 5: return create_mode_info{.ttl = true};
  case 6: return create_mode_info{.sequential = true, .ttl = true};
  default: return std::nullopt;
  }
}

// ephemeralOwner encodings: a container is exactly the sign bit; a TTL node has the high
// byte 0xff, feature bits (the next two bytes) 0 and the TTL in the low 40 bits.
inline constexpr int64_t container_ephemeral_owner = INT64_MIN;
inline constexpr uint64_t extended_mask = 0xff00000000000000ULL;
inline constexpr uint64_t extended_feature_mask = 0x00ffff0000000000ULL;
inline constexpr int64_t max_ttl_ms =
    static_cast<int64_t>(~(extended_mask | extended_feature_mask));

enum class ephemeral_type { none, session, container, ttl };

inline ephemeral_type ephemeral_type_of(int64_t owner) {
  auto u = static_cast<uint64_t>(owner);
  // An extended owner with other feature bits cannot be created (ZooKeeper throws); session
  // ids never have the 0xff high byte because server ids are at most 254.
  if ((u & extended_mask) == extended_mask && (u & extended_feature_mask) == 0)
    return ephemeral_type::ttl;
  if (owner == container_ephemeral_owner) return ephemeral_type::container;
  return owner == 0 ? ephemeral_type::none : ephemeral_type::session;
}

// EphemeralType.TTL.toEphemeralOwner; valid for 0 < ttl <= max_ttl_ms.
inline int64_t ttl_ephemeral_owner(int64_t ttl_ms) {
  return static_cast<int64_t>(extended_mask | static_cast<uint64_t>(ttl_ms));
}
inline int64_t ttl_of_owner(int64_t owner) {
  return owner & max_ttl_ms;
}
// ContainerManager's test: a TTL znode expires once more than its TTL passed since its
// last change (mtime), measured strictly.
inline bool ttl_expired(int64_t ttl_ms, int64_t mtime_ms, int64_t now_ms) {
  return ttl_ms != 0 && now_ms - mtime_ms > ttl_ms;
}

// What clients see as ephemeralOwner: only real ephemerals show their session.
inline int64_t client_ephemeral_owner(int64_t owner) {
  return ephemeral_type_of(owner) == ephemeral_type::session ? owner : 0;
}

} // namespace paddock::store
