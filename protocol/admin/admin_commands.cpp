#include "protocol/admin/admin_commands.hpp"

#include "protocol/admin/monitor_values.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <variant>

namespace paddock::admin {

namespace {

constexpr std::string_view not_serving =
    "This ZooKeeper instance is not currently serving requests";

std::string hex(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

// ZooKeeper's remote_socket_address has no leading slash (InetSocketAddress's host string).
std::string without_slash(const std::string& address) {
  return !address.empty() && address[0] == '/' ? address.substr(1) : address;
}

// ServerCnxn.getConnectionInfo(brief): the counters; with !brief the session's figures too.
json connection(const connection_info& c, bool brief) {
  json o = json::empty_object();
  o.add("remote_socket_address", without_slash(c.remote))
      .add("outstanding_requests", c.queued)
      .add("packets_received", c.received)
      .add("packets_sent", c.sent);
  if (brief) return o;
  o.add("session_id", c.session_id)
      .add("last_operation", c.last_op)
      .add("established", c.established_ms)
      .add("session_timeout", static_cast<int64_t>(c.timeout_ms))
      .add("last_cxid", c.last_cxid)
      .add("last_zxid", c.last_zxid)
      .add("last_response_time", c.last_response_ms)
      .add("last_latency", c.last_latency_ms)
      .add("min_latency", c.min_latency_ms)
      // A long in ZooKeeper's connection info (the mean rounded down), unlike server_stats.
      .add("avg_latency", static_cast<int64_t>(c.avg_latency_ms))
      .add("max_latency", c.max_latency_ms);
  return o;
}

json connections(const server_snapshot& s, bool brief) {
  json list = json::empty_array();
  for (const auto& c : s.connections)
    list.push(connection(c, brief));
  return list;
}

// ZooKeeper's ServerStats as Jackson writes it, less what Paddock does not count
// (fsync_threshold_exceed_count, client_response_stats, auth_failed_count, the mTLS counts)
// and the JVM-side provider_null.
json server_stats(const server_snapshot& s) {
  json o = json::empty_object();
  o.add("packets_sent", s.packets_sent)
      .add("packets_received", s.packets_received)
      .add("data_dir_size", s.data_dir_size)
      .add("log_dir_size", s.log_dir_size)
      .add("server_state", s.mode)
      .add("last_processed_zxid", s.zxid)
      .add("outstanding_requests", s.outstanding_requests)
      .add("avg_latency", s.avg_latency_ms)
      .add("max_latency", s.max_latency_ms)
      .add("min_latency", s.min_latency_ms)
      .add("num_alive_client_connections", s.alive_connections)
      .add("uptime", s.uptime_ms);
  return o;
}

json server_summary(const server_snapshot& s) {
  json o = json::empty_object();
  o.add("version", s.version)
      .add("read_only", s.mode == "read-only")
      .add("server_stats", server_stats(s))
      .add("node_count", s.node_count);
  return o;
}

json configuration(const command_inputs& in) {
  json o = json::empty_object();
  o.add("client_port", static_cast<int64_t>(in.client_port))
      .add("data_dir", in.data_dir)
      .add("data_log_dir", in.data_log_dir)
      .add("tick_time", static_cast<int64_t>(in.tick_time))
      .add("max_client_cnxns", static_cast<int64_t>(in.max_client_cnxns))
      .add("min_session_timeout", static_cast<int64_t>(in.min_session_timeout))
      .add("max_session_timeout", static_cast<int64_t>(in.max_session_timeout))
      .add("server_id", in.server_id)
      .add("client_port_listen_backlog", -1);
  return o;
}

json string_list(const std::vector<std::string>& items) {
  json list = json::empty_array();
  for (const auto& i : items)
    list.push(i);
  return list;
}

json id_list(const std::vector<int64_t>& ids) {
  json list = json::empty_array();
  for (auto id : ids)
    list.push(id);
  return list;
}

// One address of ZooKeeper's MultipleAddresses as Jackson writes the bean, less the
// reachability fields (ZooKeeper probes the network for those).
json address_bean(const std::string& host, int32_t port) {
  const std::string one = host + ":" + std::to_string(port);
  json o = json::empty_object();
  o.add("empty", false)
      .add("all_addresses", json(json::array{one}))
      .add("one", one)
      .add("wildcard_addresses", json(json::array{"0.0.0.0:" + std::to_string(port)}))
      .add("all_ports", json(json::array{json(static_cast<int64_t>(port))}))
      .add("all_host_strings", json(json::array{host}));
  return o;
}

const member_view* find_member(const quorum_view& q, int64_t id) {
  for (const auto& m : q.members)
    if (m.id == id) return &m;
  return nullptr;
}

json zab_state(const command_inputs& in) {
  const auto& q = in.quorum;
  json o = json::empty_object();
  if (!q.ensemble || q.zab_phase.empty()) {
    // ZooKeeper's answer when it has no ZooKeeperServer: standalone, or looking for a leader.
    o.add("voting", false).add("zabstate", "");
    return o;
  }
  const member_view* me = find_member(q, q.my_id);
  o.add("myid", q.my_id).add("is_leader", q.is_leader);
  if (me) {
    o.add("quorum_address", address_bean(me->host, me->quorum_port))
        .add("election_address", address_bean(me->host, me->election_port));
  }
  o.add("client_address", q.client_address)
      .add("voting", me != nullptr && !me->observer)
      .add("last_zxid", "0x" + hex(in.snapshot.zxid))
      .add("zab_epoch", in.snapshot.zxid >> 32)
      .add("zab_counter", in.snapshot.zxid & int64_t{0xffffffff})
      .add("zabstate", q.zab_phase);
  return o;
}

json voting_view(const command_inputs& in) {
  json view = json::empty_object();
  for (const auto& m : in.quorum.members) {
    json member = json::empty_object();
    member.add("server_addresses", json(json::array{m.host + ":" + std::to_string(m.quorum_port)}))
        .add("election_addresses",
             json(json::array{m.host + ":" + std::to_string(m.election_port)}))
        .add("client_address", m.client_address)
        .add("learner_type", m.observer ? "observer" : "participant");
    view.add(std::to_string(m.id), std::move(member));
  }
  return view;
}

// The members each command adds before "command" and "error".
json body(const command_spec& cmd, const command_inputs& in) {
  const auto& s = in.snapshot;
  const std::string_view n = cmd.primary;
  json o = json::empty_object();
  if (n == "configuration") return configuration(in);
  if (n == "connections") {
    o.add("connections", connections(s, false)).add("secure_connections", json::empty_array());
  } else if (n == "dirs") {
    o.add("datadir_size", s.data_dir_size).add("logdir_size", s.log_dir_size);
  } else if (n == "dump") {
    json expiry = json::empty_object();
    for (const auto& [time, ids] : in.sessions_by_expiry)
      expiry.add(std::to_string(time), id_list(ids));
    json ephemerals = json::empty_object();
    for (const auto& [sid, paths] : in.ephemerals_by_session)
      ephemerals.add(std::to_string(sid), string_list(paths));
    o.add("expiry_time_to_session_ids", std::move(expiry))
        .add("session_id_to_ephemeral_paths", std::move(ephemerals));
  } else if (n == "environment") {
    for (const auto& [k, v] : s.environment)
      o.add(k, v);
  } else if (n == "initial_configuration") {
    o.add("initial_configuration",
          in.initial_configuration ? json(*in.initial_configuration) : json());
  } else if (n == "is_read_only") {
    o.add("read_only", s.mode == "read-only");
  } else if (n == "last_snapshot") {
    o.add("zxid", hex(in.last_snapshot_zxid)).add("timestamp", in.last_snapshot_time_s);
  } else if (n == "leader") {
    if (!in.quorum.ensemble) {
      o.add("error", "server is not initialized");
    } else {
      o.add("is_leader", in.quorum.is_leader)
          .add("leader_id", in.quorum.leader_id)
          .add("leader_ip", in.quorum.leader_host);
    }
  } else if (n == "monitor") {
    o = json(monitor_members(monitor_values(s)));
  } else if (n == "server_stats") {
    return server_summary(s);
  } else if (n == "stats") {
    o = server_summary(s);
    o.add("connections", connections(s, true)).add("secure_connections", json::empty_array());
  } else if (n == "system_properties") {
    for (const auto& [k, v] : in.system_properties)
      o.add(k, v);
  } else if (n == "voting_view") {
    o.add("current_config", voting_view(in));
  } else if (n == "watch_summary") {
    o.add("num_connections", s.watching_connections)
        .add("num_paths", s.watched_paths)
        .add("num_total_watches", s.data_watch_count);
  } else if (n == "watches") {
    json by_session = json::empty_object();
    for (const auto& [sid, paths] : s.watches_by_session)
      by_session.add(std::to_string(sid), string_list(paths));
    o.add("session_id_to_watched_paths", std::move(by_session));
  } else if (n == "watches_by_path") {
    json by_path = json::empty_object();
    for (const auto& [path, ids] : s.watches_by_path)
      by_path.add(path, id_list(ids));
    o.add("path_to_session_ids", std::move(by_path));
  } else if (n == "zabstate") {
    return zab_state(in);
  }
  // ruok, connection_stat_reset, stat_reset: nothing but "command" and "error".
  return o;
}

json error_response(std::string_view name, std::string_view error) {
  json o = json::empty_object();
  o.add("command", name).add("error", error);
  return o;
}

} // namespace

const std::vector<command_spec>& command_table() {
  // ZooKeeper's names. Not here: get_trace_mask / set_trace_mask (Paddock has no trace
  // mask), hash (no digest log), observers / observer_connection_stat_reset (no per-learner
  // figures): they answer "Unknown command" as any other name.
  static const std::vector<command_spec> table = {
      {"connection_stat_reset", {"connection_stat_reset", "crst"}, true},
      {"configuration", {"configuration", "conf", "config"}, true},
      {"connections", {"connections", "cons"}, true},
      {"dirs", {"dirs"}, true},
      {"dump", {"dump"}, true},
      {"environment", {"environment", "env", "envi"}, false},
      {"initial_configuration", {"initial_configuration", "icfg"}, true},
      {"is_read_only", {"is_read_only", "isro"}, true},
      {"last_snapshot", {"last_snapshot", "lsnp"}, true},
      {"leader", {"leader", "lead"}, true},
      // ZooKeeper does not require a serving server for monitor, and fails with an HTTP 500
      // (a NullPointerException) while it looks for a leader; Paddock answers the
      // not-serving error then, as its mntr does.
      {"monitor", {"monitor", "mntr"}, true},
      {"ruok", {"ruok"}, true},
      {"server_stats", {"server_stats", "srvr"}, true},
      {"stats", {"stats", "stat"}, true},
      {"stat_reset", {"stat_reset", "srst"}, true},
      {"system_properties", {"system_properties", "sysp"}, false},
      {"voting_view", {"voting_view"}, true},
      {"watches", {"watches", "wchc"}, true},
      {"watches_by_path", {"watches_by_path", "wchp"}, true},
      {"watch_summary", {"watch_summary", "wchs"}, true},
      {"zabstate", {"zabstate"}, false},
  };
  return table;
}

const command_spec* find_command(std::string_view name) {
  for (const auto& cmd : command_table())
    for (auto alias : cmd.aliases)
      if (alias == name) return &cmd;
  return nullptr;
}

std::string command_listing(std::string_view command_url) {
  std::vector<std::string_view> names;
  for (const auto& cmd : command_table())
    names.push_back(cmd.primary);
  std::sort(names.begin(), names.end());
  std::string out;
  for (auto name : names) {
    out += "<a href=\"";
    out += command_url;
    out += "/";
    out += name;
    out += "\">";
    out += name;
    out += "</a>\n<br/>\n";
  }
  return out;
}

json run_command(std::string_view name, const command_inputs& in, bool serving) {
  const command_spec* cmd = find_command(name);
  if (!cmd) return error_response(name, "Unknown command: " + std::string(name));
  if (cmd->server_required && !serving) return error_response(name, not_serving);
  json o = body(*cmd, in);
  // CommandResponse: an error a command set itself stays where it was put, before "command".
  if (o.find("error")) return o.add("command", cmd->primary);
  return o.add("command", cmd->primary).add("error", json());
}

bool command_needs_connections(std::string_view name) {
  const command_spec* cmd = find_command(name);
  return cmd && (cmd->primary == "connections" || cmd->primary == "stats");
}

bool command_needs_watch_listings(std::string_view name) {
  const command_spec* cmd = find_command(name);
  return cmd && (cmd->primary == "watches" || cmd->primary == "watches_by_path");
}

bool command_needs_dump(std::string_view name) {
  const command_spec* cmd = find_command(name);
  return cmd && cmd->primary == "dump";
}

json::object monitor_members(const std::vector<monitor_value>& values) {
  json::object members;
  for (const auto& v : values)
    std::visit([&](const auto& x) { members.emplace_back(v.key, json(x)); }, v.value);
  return members;
}

} // namespace paddock::admin
