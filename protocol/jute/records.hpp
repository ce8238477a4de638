#pragma once
// The client-protocol records of zookeeper.jute (module org.apache.zookeeper.proto) that
// Paddock speaks, as plain structs. Encoding and decoding live in codec.hpp.
#include "protocol/jute/data_records.hpp"
#include "protocol/jute/opcodes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace paddock::jute {

struct connect_request {
  int32_t protocol_version = 0;
  int64_t last_zxid_seen = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;
  std::string passwd;
  bool read_only = false;
  // Clients before 3.4 do not send the trailing readOnly byte; answer them without it too.
  bool has_read_only = true;
};

struct connect_response {
  int32_t protocol_version = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;
  std::string passwd;
  bool read_only = false;
  bool has_read_only = true;
};

struct request_header {
  int32_t xid = 0;
  int32_t type = 0;
};

struct reply_header {
  int32_t xid = 0;
  int64_t zxid = 0;
  int32_t err = 0;
};

struct create_request { // create (1), create2 (15), createContainer (19), createTTL (21)
  std::string path;
  std::string data;
  acl_list acls;
  int32_t flags = 0;
  int64_t ttl = -1; // only createTTL carries it on the wire
  // The client sent null data (a -1 length: Java's null byte[], kazoo's None). ZooKeeper
  // stores null apart from empty and getData answers it with -1; `data` is empty then.
  bool data_is_null = false;
};

struct delete_request {
  std::string path;
  int32_t version = -1;
};

struct path_watch_request { // exists (3), getData (4), getChildren (8), getChildren2 (12)
  std::string path;
  bool watch = false;
};

struct set_data_request {
  std::string path;
  std::string data;
  int32_t version = -1;
  bool data_is_null = false; // as create_request's
};

struct path_request { // getACL (6), sync (9), getAllChildrenNumber (104), getEphemerals (103)
  std::string path;
};

struct set_acl_request {
  std::string path;
  acl_list acls;
  int32_t version = -1;
};

struct check_version_request {
  std::string path;
  int32_t version = -1;
};

// One operation inside a multi: its own opcode and body.
struct multi_op {
  int32_t type = 0;
  std::variant<create_request, delete_request, set_data_request, check_version_request> body;
};

struct multi_request {
  std::vector<multi_op> ops;
};

// multiRead (22): getData / getChildren requests in a multi's MultiHeader stream.
struct multi_read_op {
  int32_t type = 0; // get_data or get_children
  path_watch_request body;
};

struct multi_read_request {
  std::vector<multi_read_op> ops;
};

struct set_watches_request { // setWatches (101) and setWatches2 (105)
  int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  std::vector<std::string> persistent_watches;           // setWatches2 only
  std::vector<std::string> persistent_recursive_watches; // setWatches2 only
};

struct auth_packet {
  int32_t type = 0;
  std::string scheme;
  std::string auth;
};

struct watch_request { // checkWatches (17), removeWatches (18)
  std::string path;
  int32_t type = 0;
};

struct add_watch_request {
  std::string path;
  int32_t mode = 0;
};

// reconfig (16). A field the client left out is null on the wire (kazoo's None, the Java
// client's null list), which ZooKeeper tells apart from an empty string: newMembers set means
// a bulk change, unset an incremental one.
struct reconfig_request {
  std::optional<std::string> joining_servers;
  std::optional<std::string> leaving_servers;
  std::optional<std::string> new_members;
  int64_t cur_config_id = -1;
};

struct sasl_request { // sasl (102): GetSASLRequest{token}
  std::string token;
};

struct empty_request {}; // ping, closeSession, whoAmI

using request_body =
    std::variant<empty_request, create_request, delete_request, path_watch_request,
                 set_data_request, path_request, set_acl_request, check_version_request,
                 multi_request, set_watches_request, auth_packet, watch_request, add_watch_request,
                 multi_read_request, reconfig_request, sasl_request>;

struct request {
  request_header header;
  request_body body;
};

struct watcher_event {
  event_type type = event_type::none;
  keeper_state state = keeper_state::sync_connected;
  std::string path;
};

} // namespace paddock::jute
