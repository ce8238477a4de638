#pragma once
// ZooKeeper 3.8's AdminServer commands (server/admin/Commands.java): their names and aliases,
// and the JSON object each answers, with ZooKeeper's field names, types and nesting plus the
// "command" (primary name) and "error" fields every CommandResponse carries. Pure: the server
// gathers the figures (the four-letter words' server_snapshot and the few extras below), this
// builds the answer. Fields ZooKeeper takes from the JVM or from machinery Paddock does not
// have are left out (docs/operator-guide.md, "AdminServer", lists them).
#include "protocol/admin/four_letter_words.hpp"
#include "protocol/admin/json.hpp"
#include "protocol/admin/monitor_values.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::admin {

struct command_spec {
  std::string_view primary;              // the name in "command" and in the listing
  std::vector<std::string_view> aliases; // every name it answers to, primary first
  bool server_required;                  // answers "not currently serving" while looking
};

// Every command Paddock serves, in ZooKeeper's registration order.
const std::vector<command_spec>& command_table();

// The command one of its names stands for, or nullptr.
const command_spec* find_command(std::string_view name);

// The page GET <commandURL> answers: a link per primary name, sorted, as JettyAdminServer.
std::string command_listing(std::string_view command_url);

// One ensemble member as the active configuration names it (voting_view).
struct member_view {
  int64_t id = 0;
  std::string host;
  int32_t quorum_port = 0;
  int32_t election_port = 0;
  bool observer = false;
  std::string client_address; // "host:port" when the line names a client port, else ""
};

// The quorum peer's view, for leader, voting_view and zabstate (ensemble only).
struct quorum_view {
  bool ensemble = false;
  int64_t my_id = 0;
  bool is_leader = false;
  int64_t leader_id = -1;     // -1 while no leader is known
  std::string leader_host;    // "" while no leader is known
  std::string zab_phase;      // "" while looking, "synchronization", "broadcast"
  int64_t epoch = 0;          // the current epoch
  std::string client_address; // this server's "host:port" for clients
  std::vector<member_view> members;
};

// What the commands report beyond the four-letter words' snapshot.
struct command_inputs {
  server_snapshot snapshot;
  quorum_view quorum;
  // conf (ZooKeeperServerConf): the data and log directories as this server uses them.
  int32_t client_port = 0;
  std::string data_dir;
  std::string data_log_dir;
  int32_t tick_time = 0;
  int32_t max_client_cnxns = 0;
  int32_t min_session_timeout = 0;
  int32_t max_session_timeout = 0;
  int64_t server_id = 0;
  // initial_configuration: zoo.cfg's text as read at start (standalone; null in an ensemble,
  // as ZooKeeper's QuorumPeerMain never records it).
  std::optional<std::string> initial_configuration;
  // last_snapshot: the newest snapshot written, or the one recovered from (-1: none).
  int64_t last_snapshot_zxid = -1;
  int64_t last_snapshot_time_s = -1;
  // dump: session -> its ephemeral paths, and expiry time -> sessions due then.
  std::vector<std::pair<int64_t, std::vector<std::string>>> ephemerals_by_session;
  std::vector<std::pair<int64_t, std::vector<int64_t>>> sessions_by_expiry;
  // system_properties: the process's own equivalents (see the operator guide).
  std::vector<std::pair<std::string, std::string>> system_properties;
};

// The answer to the command `name` (any of its names). An unknown name answers ZooKeeper's
// "Unknown command: <name>" error; a command that needs a serving server answers "This
// ZooKeeper instance is not currently serving requests" while the snapshot's mode is
// "looking"... callers pass `serving` for that.
json run_command(std::string_view name, const command_inputs& in, bool serving);

// What a command needs gathered beyond the counters (so the server asks only for that).
bool command_needs_connections(std::string_view name);
bool command_needs_watch_listings(std::string_view name);
bool command_needs_dump(std::string_view name);

// mntr's values (monitor_values.hpp) as monitor's JSON members: the same keys (without
// mntr's "zk_"), integers and decimals as numbers, words as strings.
json::object monitor_members(const std::vector<monitor_value>& values);

} // namespace paddock::admin
