#include "config/zoo_config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace paddock::config {

namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\f\v");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\f\v");
  return s.substr(first, last - first + 1);
}

config_error invalid(std::string_view key, std::string_view value, std::string message) {
  return config_error{std::string(key), std::string(value), std::move(message)};
}

template <class Int> std::optional<Int> parse_int(std::string_view text) {
  Int v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Keys ZooKeeper knows that Paddock reads but does not act on yet (or never needs to).
bool known_but_unused(std::string_view key) {
  static constexpr std::string_view exact[] = {"standaloneEnabled",
                                               "reconfigEnabled",
                                               "electionPortBindRetry",
                                               "dynamicConfigFile",
                                               "quorumListenOnAllIPs",
                                               "secureClientPort",
                                               "secureClientPortAddress",
                                               "globalOutstandingLimit",
                                               "clientPortListenBacklog",
                                               "localSessionsEnabled",
                                               "localSessionsUpgradingEnabled",
                                               "peerType",
                                               "syncEnabled",
                                               "leaderServes",
                                               "cnxTimeout",
                                               "electionAlg",
                                               "skipACL",
                                               "extendedTypesEnabled",
                                               "sslQuorum",
                                               "portUnification",
                                               "serverCnxnFactory",
                                               "snapSizeLimitInKb",
                                               "txnLogSizeLimitInKb",
                                               "fsync.warningthresholdms",
                                               "maxResponseCacheSize",
                                               "maxGetChildrenResponseCacheSize",
                                               "connectToLearnerMasterLimit",
                                               "quorum.cnxn.threads.size",
                                               "minClientCnxns"};
  static constexpr std::string_view prefixes[] = {
      "server.",          "group.",       "weight.",       "authProvider.", "ssl.",
      "metricsProvider.", "quorum.auth.", "multiAddress.", "admin.",        "zookeeper.",
      "znode.container.", "audit.",       "jvm."};
  for (auto k : exact)
    if (key == k) return true;
  for (auto p : prefixes)
    if (key.substr(0, p.size()) == p) return true;
  return false;
}

// Sets `out` from the text of an integer key, or returns the error naming it.
template <class Int>
std::optional<config_error> set_int(std::string_view key, std::string_view value, Int& out, Int min,
                                    Int max, const char* what) {
  auto v = parse_int<Int>(value);
  if (!v || *v < min || *v > max) return invalid(key, value, std::string("must be ") + what);
  out = *v;
  return std::nullopt;
}

std::optional<config_error> apply(server_config& cfg, std::string_view key,
                                  std::string_view value) {
  constexpr int32_t i32max = INT32_MAX;
  constexpr int64_t i64max = INT64_MAX;
  if (key == "tickTime")
    return set_int<int32_t>(key, value, cfg.tick_time_ms, 1, i32max, "a positive number of ms");
  if (key == "dataDir") {
    if (value.empty()) return invalid(key, value, "must name a directory");
    cfg.data_dir = value;
    return std::nullopt;
  }
  if (key == "dataLogDir") {
    cfg.data_log_dir = value;
    return std::nullopt;
  }
  if (key == "clientPort")
    return set_int<int32_t>(key, value, cfg.client_port, 1, 65535, "a port number (1-65535)");
  if (key == "clientPortAddress") {
    cfg.client_port_address = value;
    return std::nullopt;
  }
  if (key == "maxClientCnxns")
    return set_int<int32_t>(key, value, cfg.max_client_cnxns, 0, i32max,
                            "0 (no limit) or a positive number");
  if (key == "minSessionTimeout")
    return set_int<int32_t>(key, value, cfg.min_session_timeout_ms, -1, i32max,
                            "a number of ms (-1 for 2 * tickTime)");
  if (key == "maxSessionTimeout")
    return set_int<int32_t>(key, value, cfg.max_session_timeout_ms, -1, i32max,
                            "a number of ms (-1 for 20 * tickTime)");
  if (key == "4lw.commands.whitelist") {
    cfg.four_letter_whitelist.clear();
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto word = trim(rest.substr(0, comma));
      if (!word.empty()) cfg.four_letter_whitelist.emplace(word);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    return std::nullopt;
  }
  if (key == "jute.maxbuffer")
    return set_int<int32_t>(key, value, cfg.max_buffer, 1, i32max - 1024,
                            "a positive number of bytes");
  if (key == "forceSync") {
    if (value == "yes" || value == "true")
      cfg.force_sync = true;
    else if (value == "no" || value == "false")
      cfg.force_sync = false;
    else
      return invalid(key, value, "must be yes or no");
    return std::nullopt;
  }
  auto unused_yet = [&](std::optional<config_error> err) {
    if (!err) cfg.warnings.push_back("key " + std::string(key) + " is accepted but not used yet");
    return err;
  };
  if (key == "snapCount")
    return set_int<int64_t>(key, value, cfg.snap_count, 2, i64max, "at least 2");
  if (key == "preAllocSize")
    return set_int<int64_t>(key, value, cfg.pre_alloc_size_kb, 1, i64max / 1024,
                            "a positive size in KB");
  if (key == "autopurge.snapRetainCount")
    return set_int<int32_t>(key, value, cfg.autopurge_snap_retain_count, 3, i32max, "at least 3");
  if (key == "autopurge.purgeInterval")
    return set_int<int32_t>(key, value, cfg.autopurge_purge_interval_h, 0, i32max,
                            "0 (off) or a number of hours");
  if (key == "initLimit")
    return unused_yet(
        set_int<int32_t>(key, value, cfg.init_limit, 1, i32max, "a positive number of ticks"));
  if (key == "syncLimit")
    return unused_yet(
        set_int<int32_t>(key, value, cfg.sync_limit, 1, i32max, "a positive number of ticks"));
  if (known_but_unused(key))
    cfg.warnings.push_back("key " + std::string(key) + " is accepted but not used yet");
  else
    cfg.warnings.push_back("unknown key " + std::string(key) + " (ignored)");
  return std::nullopt;
}

} // namespace

bool server_config::four_letter_allowed(std::string_view cmd) const {
  // zkServer.sh depends on srvr, so ZooKeeper always answers it.
  if (cmd == "srvr") return true;
  return four_letter_whitelist.count("*") != 0 ||
         four_letter_whitelist.count(std::string(cmd)) != 0;
}

std::string config_error::to_string() const {
  if (key.empty()) return message;
  return "invalid value '" + value + "' for key '" + key + "': " + message;
}

parse_result parse_zoo_cfg(std::string_view text) {
  server_config cfg;
  bool have_data_dir = false;
  size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    // java.util.Properties: the key ends at the first '=', ':' or whitespace; one such
    // separator (with whitespace around it) precedes the value.
    auto end = line.find_first_of("=: \t");
    auto key = line.substr(0, end);
    std::string_view value;
    if (end != std::string_view::npos) {
      auto rest = trim(line.substr(end));
      if (!rest.empty() && (rest[0] == '=' || rest[0] == ':')) rest = trim(rest.substr(1));
      value = rest;
    }
    if (key == "dataDir") have_data_dir = true;
    if (auto err = apply(cfg, key, value)) return *err;
  }
  if (!have_data_dir) return invalid("dataDir", "", "is required");
  if (cfg.effective_min_session_timeout() > cfg.effective_max_session_timeout())
    return invalid("minSessionTimeout", std::to_string(cfg.effective_min_session_timeout()),
                   "must not be larger than maxSessionTimeout (" +
                       std::to_string(cfg.effective_max_session_timeout()) + ")");
  return cfg;
}

parse_result load_zoo_cfg(const std::string& path) {
  std::ifstream in(path);
  if (!in) return config_error{"", "", "cannot read configuration file " + path};
  std::stringstream text;
  text << in.rdbuf();
  auto result = parse_zoo_cfg(text.str());
  auto* cfg = std::get_if<server_config>(&result);
  if (!cfg) return result;
  std::ifstream myid(cfg->data_dir + "/myid");
  if (myid) {
    std::string line;
    std::getline(myid, line);
    auto id = parse_int<int64_t>(trim(line));
    if (!id || *id < 0 || *id > 255)
      return config_error{"myid", line,
                          "invalid value '" + line + "' in " + cfg->data_dir +
                              "/myid: must be a server id from 0 to 255"};
    cfg->server_id = *id;
  }
  return result;
}

} // namespace paddock::config
