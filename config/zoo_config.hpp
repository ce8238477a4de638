#pragma once
// zoo.cfg: ZooKeeper's key=value configuration, parsed and validated. Errors are values
// naming the key and the value, so the server can print them and exit with status 2.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace paddock::config {

struct server_config {
  int32_t tick_time_ms = 2000;         // tickTime
  std::string data_dir;                // dataDir (required)
  std::string data_log_dir;            // dataLogDir (defaults to dataDir)
  int32_t client_port = 2181;          // clientPort
  std::string client_port_address;     // clientPortAddress (empty: all addresses)
  int32_t max_client_cnxns = 60;       // maxClientCnxns, per client IP; 0 = unlimited
  int32_t min_session_timeout_ms = -1; // minSessionTimeout (-1: 2 * tickTime)
  int32_t max_session_timeout_ms = -1; // maxSessionTimeout (-1: 20 * tickTime)
  std::set<std::string> four_letter_whitelist{"srvr"}; // 4lw.commands.whitelist ("*" = all)
  int32_t max_buffer = 0xfffff;                        // jute.maxbuffer
  bool force_sync = true;                              // forceSync
  int64_t snap_count = 100000;                         // snapCount
  int64_t pre_alloc_size_kb = 65536;                   // preAllocSize
  int32_t autopurge_snap_retain_count = 3;             // autopurge.snapRetainCount
  int32_t autopurge_purge_interval_h = 0;              // autopurge.purgeInterval
  int32_t init_limit = 10;                             // initLimit
  int32_t sync_limit = 5;                              // syncLimit
  int64_t server_id = 0;                               // from dataDir/myid, when present

  // Keys we read but do not act on yet, and keys we do not know: logged as warnings.
  std::vector<std::string> warnings;

  int32_t effective_min_session_timeout() const {
    return min_session_timeout_ms < 0 ? 2 * tick_time_ms : min_session_timeout_ms;
  }
  int32_t effective_max_session_timeout() const {
    return max_session_timeout_ms < 0 ? 20 * tick_time_ms : max_session_timeout_ms;
  }
  const std::string& effective_data_log_dir() const {
    return data_log_dir.empty() ? data_dir : data_log_dir;
  }
  // Where Paddock keeps its files: a directory of its own inside dataDir (snapshots) and
  // dataLogDir (txn log segments), so that they never mix with ZooKeeper's version-2/.
  std::string snap_dir() const { return data_dir + "/paddock"; }
  std::string log_dir() const { return effective_data_log_dir() + "/paddock"; }
  bool four_letter_allowed(std::string_view cmd) const;
};

struct config_error {
  std::string key; // the offending key ("" for a line that is not key=value)
  std::string value;
  std::string message;
  std::string to_string() const; // "invalid value 'x' for key 'tickTime': must be ..."
};

using parse_result = std::variant<server_config, config_error>;

// Parses zoo.cfg text. Does not touch the file system.
parse_result parse_zoo_cfg(std::string_view text);

// Reads the file, parses it, and reads dataDir/myid when it exists.
parse_result load_zoo_cfg(const std::string& path);

} // namespace paddock::config
