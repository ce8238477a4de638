// The AdminServer's commands: names, aliases, errors and each answer's fields, as ZooKeeper
// 3.8's Commands.java (the expected layouts were taken from Debian's ZooKeeper 3.8).
#include "protocol/admin/admin_commands.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using namespace paddock::admin;

namespace {

command_inputs standalone() {
  command_inputs in;
  auto& s = in.snapshot;
  s.version = "3.8.0-paddock";
  s.mode = "standalone";
  s.zxid = 0x100000006;
  s.node_count = 7;
  s.avg_latency_ms = 2.125;
  s.max_latency_ms = 8;
  s.packets_received = 9;
  s.packets_sent = 9;
  s.alive_connections = 1;
  s.uptime_ms = 1826;
  s.data_watch_count = 1;
  s.watched_paths = 1;
  s.watching_connections = 1;
  connection_info c;
  c.remote = "/127.0.0.1:40938";
  c.received = 5;
  c.sent = 5;
  c.session_id = 72058278953025537;
  c.last_op = "GETC";
  c.timeout_ms = 10000;
  c.avg_latency_ms = 2.7;
  s.connections.push_back(c);
  s.watches_by_session = {{72058278953025537, {"/a"}}};
  s.watches_by_path = {{"/a", {72058278953025537}}};
  s.environment = {{"zookeeper.version", s.version}, {"host.name", "localhost"}};
  in.client_port = 2181;
  in.data_dir = "/d/paddock";
  in.data_log_dir = "/d/paddock";
  in.tick_time = 200;
  in.min_session_timeout = 400;
  in.max_session_timeout = 10000;
  in.initial_configuration = "tickTime=200\n";
  return in;
}

command_inputs leader_of_three() {
  command_inputs in = standalone();
  in.snapshot.mode = "leader";
  auto& q = in.quorum;
  q.ensemble = true;
  q.my_id = 2;
  q.is_leader = true;
  q.leader_id = 2;
  q.leader_host = "127.0.0.1";
  q.zab_phase = "broadcast";
  q.client_address = "127.0.0.1:2182";
  q.members = {{1, "127.0.0.1", 2888, 3888, false, ""},
               {2, "127.0.0.1", 2889, 3889, false, "127.0.0.1:2182"},
               {3, "127.0.0.1", 2890, 3890, true, ""}};
  in.initial_configuration.reset();
  return in;
}

std::set<std::string> keys(const json& o) {
  std::set<std::string> out;
  for (const auto& [k, v] : o.members())
    out.insert(k);
  return out;
}

} // namespace

TEST_CASE("every name and alias finds its command, the listing links the primary names") {
  CHECK(find_command("stat")->primary == "stats");
  CHECK(find_command("srvr")->primary == "server_stats");
  CHECK(find_command("mntr")->primary == "monitor");
  CHECK(find_command("config")->primary == "configuration");
  CHECK(find_command("wchp")->primary == "watches_by_path");
  CHECK(find_command("hash") == nullptr); // not served: no digest log
  const std::string listing = command_listing("/commands");
  CHECK(listing.rfind("<a href=\"/commands/configuration\">configuration</a>\n<br/>\n", 0) == 0);
  CHECK(listing.find("<a href=\"/commands/zabstate\">zabstate</a>\n<br/>\n") ==
        listing.size() -
            std::string("<a href=\"/commands/zabstate\">zabstate</a>\n<br/>\n").size());
}

TEST_CASE("unknown and not-serving answers carry the name as asked") {
  CHECK(run_command("nosuch", standalone(), true).pretty() ==
        "{\n  \"command\" : \"nosuch\",\n  \"error\" : \"Unknown command: nosuch\"\n}");
  CHECK(run_command("srvr", standalone(), false).pretty() ==
        "{\n  \"command\" : \"srvr\",\n  \"error\" : \"This ZooKeeper instance is not "
        "currently serving requests\"\n}");
  // environment, system_properties and zabstate answer without a serving server.
  CHECK(run_command("envi", standalone(), false).find("error")->is_null());
  CHECK(run_command("zabstate", standalone(), false).find("error")->is_null());
}

TEST_CASE("ruok is only the command and a null error") {
  CHECK(run_command("ruok", standalone(), true).pretty() ==
        "{\n  \"command\" : \"ruok\",\n  \"error\" : null\n}");
}

TEST_CASE("stats: the summary, the brief connections and the secure ones") {
  json o = run_command("stat", standalone(), true);
  CHECK(keys(o) == std::set<std::string>{"version", "read_only", "server_stats", "node_count",
                                         "connections", "secure_connections", "command", "error"});
  CHECK(o.find("command")->pretty() == "\"stats\"");
  const std::string text = o.pretty();
  CHECK(text.find("\"avg_latency\" : 2.125") != std::string::npos);
  CHECK(text.find("\"last_processed_zxid\" : 4294967302") != std::string::npos);
  CHECK(text.find("\"connections\" : [ {\n    \"remote_socket_address\" : \"127.0.0.1:40938\",\n"
                  "    \"outstanding_requests\" : 0,\n    \"packets_received\" : 5,\n"
                  "    \"packets_sent\" : 5\n  } ]") != std::string::npos);
}

TEST_CASE("connections: every figure of each session, average latency as a long") {
  const std::string text = run_command("cons", standalone(), true).pretty();
  CHECK(text.find("\"session_id\" : 72058278953025537") != std::string::npos);
  CHECK(text.find("\"last_operation\" : \"GETC\"") != std::string::npos);
  CHECK(text.find("\"avg_latency\" : 2,") != std::string::npos);
  CHECK(text.find("\"secure_connections\" : [ ]") != std::string::npos);
}

TEST_CASE("watch commands key sessions by their decimal id") {
  CHECK(run_command("wchc", standalone(), true).pretty() ==
        "{\n  \"session_id_to_watched_paths\" : {\n    \"72058278953025537\" : [ \"/a\" ]\n  },\n"
        "  \"command\" : \"watches\",\n  \"error\" : null\n}");
  CHECK(run_command("wchp", standalone(), true).pretty() ==
        "{\n  \"path_to_session_ids\" : {\n    \"/a\" : [ 72058278953025537 ]\n  },\n"
        "  \"command\" : \"watches_by_path\",\n  \"error\" : null\n}");
  CHECK(run_command("wchs", standalone(), true).pretty() ==
        "{\n  \"num_connections\" : 1,\n  \"num_paths\" : 1,\n  \"num_total_watches\" : 1,\n"
        "  \"command\" : \"watch_summary\",\n  \"error\" : null\n}");
}

TEST_CASE("dump: expiry buckets and ephemerals by session") {
  command_inputs in = standalone();
  in.sessions_by_expiry = {{10453600, {}}, {10461600, {72058278953025537}}};
  in.ephemerals_by_session = {{72058278953025537, {"/e"}}};
  CHECK(run_command("dump", in, true).pretty() ==
        "{\n  \"expiry_time_to_session_ids\" : {\n    \"10453600\" : [ ],\n"
        "    \"10461600\" : [ 72058278953025537 ]\n  },\n"
        "  \"session_id_to_ephemeral_paths\" : {\n    \"72058278953025537\" : [ \"/e\" ]\n  },\n"
        "  \"command\" : \"dump\",\n  \"error\" : null\n}");
}

TEST_CASE("standalone: leader is an error placed before the command, no quorum views") {
  CHECK(run_command("lead", standalone(), true).pretty() ==
        "{\n  \"error\" : \"server is not initialized\",\n  \"command\" : \"leader\"\n}");
  CHECK(run_command("zabstate", standalone(), true).pretty() ==
        "{\n  \"voting\" : false,\n  \"zabstate\" : \"\",\n  \"command\" : \"zabstate\",\n"
        "  \"error\" : null\n}");
  CHECK(run_command("voting_view", standalone(), true).pretty() ==
        "{\n  \"current_config\" : { },\n  \"command\" : \"voting_view\",\n"
        "  \"error\" : null\n}");
  CHECK(run_command("icfg", standalone(), true).find("initial_configuration")->pretty() ==
        "\"tickTime=200\\n\"");
}

TEST_CASE("conf: ZooKeeperServerConf's fields") {
  CHECK(run_command("conf", standalone(), true).pretty() ==
        "{\n  \"client_port\" : 2181,\n  \"data_dir\" : \"/d/paddock\",\n"
        "  \"data_log_dir\" : \"/d/paddock\",\n  \"tick_time\" : 200,\n"
        "  \"max_client_cnxns\" : 0,\n  \"min_session_timeout\" : 400,\n"
        "  \"max_session_timeout\" : 10000,\n  \"server_id\" : 0,\n"
        "  \"client_port_listen_backlog\" : -1,\n  \"command\" : \"configuration\",\n"
        "  \"error\" : null\n}");
}

TEST_CASE("last_snapshot: the zxid in bare hex, -1 as Java's unsigned hex") {
  command_inputs in = standalone();
  CHECK(run_command("lsnp", in, true).find("zxid")->pretty() == "\"ffffffffffffffff\"");
  in.last_snapshot_zxid = 0x100000000;
  in.last_snapshot_time_s = 1796625598;
  json o = run_command("lsnp", in, true);
  CHECK(o.find("zxid")->pretty() == "\"100000000\"");
  CHECK(o.find("timestamp")->pretty() == "1796625598");
}

TEST_CASE("an ensemble's leader, voting view and ZAB state") {
  command_inputs in = leader_of_three();
  CHECK(run_command("leader", in, true).pretty() ==
        "{\n  \"is_leader\" : true,\n  \"leader_id\" : 2,\n  \"leader_ip\" : \"127.0.0.1\",\n"
        "  \"command\" : \"leader\",\n  \"error\" : null\n}");
  const std::string view = run_command("voting_view", in, true).pretty();
  CHECK(view.find("    \"2\" : {\n      \"server_addresses\" : [ \"127.0.0.1:2889\" ],\n"
                  "      \"election_addresses\" : [ \"127.0.0.1:3889\" ],\n"
                  "      \"client_address\" : \"127.0.0.1:2182\",\n"
                  "      \"learner_type\" : \"participant\"\n    }") != std::string::npos);
  CHECK(view.find("\"learner_type\" : \"observer\"") != std::string::npos);
  json z = run_command("zabstate", in, true);
  CHECK(keys(z) == std::set<std::string>{"myid", "is_leader", "quorum_address", "election_address",
                                         "client_address", "voting", "last_zxid", "zab_epoch",
                                         "zab_counter", "zabstate", "command", "error"});
  CHECK(z.find("last_zxid")->pretty() == "\"0x100000006\"");
  CHECK(z.find("zab_epoch")->pretty() == "1");
  CHECK(z.find("zab_counter")->pretty() == "6");
  CHECK(z.find("zabstate")->pretty() == "\"broadcast\"");
  CHECK(z.find("quorum_address")->find("one")->pretty() == "\"127.0.0.1:2889\"");
  CHECK(z.find("election_address")->find("wildcard_addresses")->pretty() == "[ \"0.0.0.0:3889\" ]");
  CHECK(run_command("icfg", in, true).find("initial_configuration")->is_null());
  // Looking: ZooKeeper has no server, and zabstate names no phase.
  in.quorum.zab_phase.clear();
  CHECK(keys(run_command("zabstate", in, false)) ==
        std::set<std::string>{"voting", "zabstate", "command", "error"});
}

TEST_CASE("monitor: mntr's values, typed, without the zk_ prefix") {
  std::vector<monitor_value> values = {
      {"version", std::string("3.8.0")}, {"avg_latency", 0.5}, {"znode_count", int64_t{7}}};
  CHECK(json(monitor_members(values)).pretty() ==
        "{\n  \"version\" : \"3.8.0\",\n  \"avg_latency\" : 0.5,\n  \"znode_count\" : 7\n}");
  json o = run_command("mntr", standalone(), true);
  CHECK(o.find("command")->pretty() == "\"monitor\"");
  CHECK(o.find("znode_count")->pretty() == "7");
  CHECK(o.find("avg_latency")->pretty() == "2.125");
}
