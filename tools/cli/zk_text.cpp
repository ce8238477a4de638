#include "tools/cli/zk_text.hpp"

#include <charconv>
#include <iostream>
#include <vector>

namespace paddock::cli {

namespace p = jute::perms;

std::string perm_string(int32_t perms) {
  std::string out;
  if (perms & p::create) out += 'c';
  if (perms & p::remove) out += 'd';
  if (perms & p::read) out += 'r';
  if (perms & p::write) out += 'w';
  if (perms & p::admin) out += 'a';
  return out;
}

jute::acl_list parse_acl(std::string_view text, std::string& warnings) {
  jute::acl_list out;
  while (true) {
    auto comma = text.find(',');
    std::string_view entry = text.substr(0, comma);
    auto first = entry.find(':');
    auto last = entry.rfind(':');
    if (first == std::string_view::npos || first == last) {
      warnings += std::string(entry) + " does not have the form scheme:id:perm\n";
    } else {
      jute::acl a;
      a.id.scheme = std::string(entry.substr(0, first));
      a.id.ident = std::string(entry.substr(first + 1, last - first - 1));
      for (char c : entry.substr(last + 1)) {
        switch (c) {
        case 'r': a.perms |= p::read; break;
        case 'w': a.perms |= p::write; break;
        case 'c': a.perms |= p::create; break;
        case 'd': a.perms |= p::remove; break;
        case 'a': a.perms |= p::admin; break;
        default: warnings += std::string("Unknown perm type: ") + c + "\n";
        }
      }
      out.push_back(std::move(a));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string acl_entry_text(const jute::acl& a) {
  // Id.toString() is jute's CsvOutputArchive: each string field as ' + text, comma-separated,
  // then a newline after the record.
  return "'" + a.id.scheme + ",'" + a.id.ident + "\n: " + perm_string(a.perms);
}

int64_t stats_track::get(const std::string& key) const {
  auto it = values.find(key);
  return it == values.end() ? -1 : it->second;
}

std::string stats_track::to_string() const {
  std::string out =
      "count=" + std::to_string(get("count")) + ",bytes=" + std::to_string(get("bytes"));
  std::vector<std::string> rest;
  for (const auto& [key, value] : values) // std::map: sorted, as StatsTrack sorts them
    if (key != "count" && key != "bytes") rest.push_back(";" + key + "=" + std::to_string(value));
  if (!rest.empty()) {
    out += "=";
    for (const auto& r : rest)
      out += r;
  }
  return out;
}

std::optional<stats_track> parse_stats_track(std::string_view text) {
  stats_track out;
  // Pairs are separated by runs of ',' and ';'; "bytes=-1=" (what toString writes when more
  // keys follow) reads as bytes=-1.
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ',' || text[i] == ';'))
      ++i;
    if (i >= text.size()) break;
    size_t end = text.find_first_of(",;", i);
    std::string_view pair = text.substr(i, end == std::string_view::npos ? end : end - i);
    i = end == std::string_view::npos ? text.size() : end;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view value = pair.substr(eq + 1);
    value = value.substr(0, value.find('='));
    int64_t v = -1;
    if (!value.empty()) {
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc{} || ptr != value.data() + value.size()) return std::nullopt;
    }
    out.values[std::string(pair.substr(0, eq))] = v;
  }
  return out;
}

std::string state_name(jute::keeper_state s) {
  using k = jute::keeper_state;
  switch (s) {
  case k::disconnected: return "Disconnected";
  case k::sync_connected: return "SyncConnected";
  case k::auth_failed: return "AuthFailed";
  case k::connected_read_only: return "ConnectedReadOnly";
  case k::sasl_authenticated: return "SaslAuthenticated";
  case k::expired: return "Expired";
  case k::closed: return "Closed";
  }
  return "Unknown";
}

std::string type_name(jute::event_type t) {
  using e = jute::event_type;
  switch (t) {
  case e::none: return "None";
  case e::node_created: return "NodeCreated";
  case e::node_deleted: return "NodeDeleted";
  case e::node_data_changed: return "NodeDataChanged";
  case e::node_children_changed: return "NodeChildrenChanged";
  case e::data_watch_removed: return "DataWatchRemoved";
  case e::child_watch_removed: return "ChildWatchRemoved";
  case e::persistent_watch_removed: return "PersistentWatchRemoved";
  }
  return "Unknown";
}

std::string event_text(const jute::watcher_event& e) {
  return "WatchedEvent state:" + state_name(e.state) + " type:" + type_name(e.type) +
         " path:" + (e.path.empty() ? std::string("null") : e.path);
}

std::string quota_limit_path(std::string_view path) {
  return std::string(quota_root) + std::string(path) + "/zookeeper_limits";
}

std::string quota_stat_path(std::string_view path) {
  return std::string(quota_root) + std::string(path) + "/zookeeper_stats";
}

} // namespace paddock::cli
