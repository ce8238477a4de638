#pragma once
// ZooKeeper's own text forms that zkCli prints or reads: permissions ("cdrwa"), ACLs as
// AclParser reads them ("world:anyone:cdrwa,digest:u:hash:r") and as getAcl prints them (the
// Id record in jute's CSV form, "'world,'anyone" then ": cdrwa"), quota records
// (StatsTrack: "count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1") and watch events
// (WatchedEvent.toString). Pure functions.
#include "protocol/jute/data_records.hpp"
#include "protocol/jute/records.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::cli {

std::string perm_string(int32_t perms); // ZKUtil.getPermString: c d r w a, in that order

// AclParser.parse: entries that do not have the form scheme:id:perm are left out, with a
// line on `warnings` (zkCli prints it and goes on), as are unknown permission letters.
jute::acl_list parse_acl(std::string_view text, std::string& warnings);

// getAcl's two lines for one entry.
std::string acl_entry_text(const jute::acl& a);

// StatsTrack: the key=value pairs of a quota node's data; a key not there reads -1.
struct stats_track {
  std::map<std::string, int64_t> values;
  int64_t get(const std::string& key) const;
  void set(const std::string& key, int64_t v) { values[key] = v; }
  std::string to_string() const; // as StatsTrack.toString, the form ZooKeeper writes
};
std::optional<stats_track> parse_stats_track(std::string_view text);

// "WatchedEvent state:SyncConnected type:NodeDataChanged path:/x" ("path:null" without one).
std::string event_text(const jute::watcher_event& e);
std::string state_name(jute::keeper_state s);
std::string type_name(jute::event_type t);

// Where ZooKeeper keeps a path's quota (Quotas.java).
inline constexpr std::string_view quota_root = "/zookeeper/quota";
std::string quota_limit_path(std::string_view path); // /zookeeper/quota/PATH/zookeeper_limits
std::string quota_stat_path(std::string_view path);  // /zookeeper/quota/PATH/zookeeper_stats

} // namespace paddock::cli
