#pragma once
// ZooKeeper request opcodes (ZooDefs.OpCode) and special xids (ClientCnxn).
#include <climits>
#include <cstdint>

namespace paddock::jute {

namespace opcode {
inline constexpr int32_t notification = 0;
inline constexpr int32_t create = 1;
inline constexpr int32_t remove = 2; // ZooKeeper's "delete"
inline constexpr int32_t exists = 3;
inline constexpr int32_t get_data = 4;
inline constexpr int32_t set_data = 5;
inline constexpr int32_t get_acl = 6;
inline constexpr int32_t set_acl = 7;
inline constexpr int32_t get_children = 8;
inline constexpr int32_t sync = 9;
inline constexpr int32_t ping = 11;
inline constexpr int32_t get_children2 = 12;
inline constexpr int32_t check = 13;
inline constexpr int32_t multi = 14;
inline constexpr int32_t create2 = 15;
inline constexpr int32_t reconfig = 16;
inline constexpr int32_t check_watches = 17;
inline constexpr int32_t remove_watches = 18;
inline constexpr int32_t create_container = 19;
inline constexpr int32_t delete_container = 20;
inline constexpr int32_t create_ttl = 21;
inline constexpr int32_t multi_read = 22;
inline constexpr int32_t auth = 100;
inline constexpr int32_t set_watches = 101;
inline constexpr int32_t sasl = 102;
inline constexpr int32_t get_ephemerals = 103;
inline constexpr int32_t get_all_children_number = 104;
inline constexpr int32_t set_watches2 = 105;
inline constexpr int32_t add_watch = 106;
inline constexpr int32_t who_am_i = 107;
inline constexpr int32_t create_session = -10;
inline constexpr int32_t close_session = -11;
inline constexpr int32_t error = -1;
// Not a ZooKeeper opcode: what the server puts in the header of a request whose body did not
// decode, so that it is answered MarshallingError in its turn (see codec.hpp).
inline constexpr int32_t undecodable = INT32_MIN;
} // namespace opcode

namespace xid {
inline constexpr int32_t notification = -1;
inline constexpr int32_t ping = -2;
inline constexpr int32_t auth = -4;
inline constexpr int32_t set_watches = -8;
} // namespace xid

// Create modes (CreateMode.java flag values).
namespace create_mode {
inline constexpr int32_t persistent = 0;
inline constexpr int32_t ephemeral = 1;
inline constexpr int32_t persistent_sequential = 2;
inline constexpr int32_t ephemeral_sequential = 3;
inline constexpr int32_t container = 4;
inline constexpr int32_t persistent_with_ttl = 5;
inline constexpr int32_t persistent_sequential_with_ttl = 6;
} // namespace create_mode

// Watcher.Event.EventType
enum class event_type : int32_t {
  none = -1,
  node_created = 1,
  node_deleted = 2,
  node_data_changed = 3,
  node_children_changed = 4,
  data_watch_removed = 5,
  child_watch_removed = 6,
  persistent_watch_removed = 7,
};

// Watcher.Event.KeeperState
enum class keeper_state : int32_t {
  disconnected = 0,
  sync_connected = 3,
  auth_failed = 4,
  connected_read_only = 5,
  sasl_authenticated = 6,
  expired = -112,
  closed = 7,
};

// ZooDefs.Perms
namespace perms {
inline constexpr int32_t read = 1 << 0;
inline constexpr int32_t write = 1 << 1;
inline constexpr int32_t create = 1 << 2;
inline constexpr int32_t remove = 1 << 3;
inline constexpr int32_t admin = 1 << 4;
inline constexpr int32_t all = read | write | create | remove | admin;
} // namespace perms

} // namespace paddock::jute
