// zoo.cfg parsing and validation: errors name the key and the value.
#include "config/zoo_config.hpp"
#include "scratch_dir.hpp"
#include "store/tree/digest_auth.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

using namespace paddock::config;

namespace {
server_config ok(std::string_view text) {
  auto r = parse_zoo_cfg(text);
  if (auto* e = std::get_if<config_error>(&r)) FAIL(e->to_string());
  return std::get<server_config>(r);
}
config_error bad(std::string_view text) {
  auto r = parse_zoo_cfg(text);
  REQUIRE(std::holds_alternative<config_error>(r));
  return std::get<config_error>(r);
}
} // namespace

TEST_CASE("every key is read, in each of Java's separators", "[config]") {
  auto c = ok("# comment\n! also a comment\n\n"
              "tickTime=1000\n"
              "dataDir = /var/paddock\n"
              "dataLogDir:/var/log/paddock\n"
              "clientPort 2182\n"
              "clientPortAddress=127.0.0.1\n"
              "maxClientCnxns=0\n"
              "minSessionTimeout=3000\n"
              "maxSessionTimeout=90000\n"
              "4lw.commands.whitelist= ruok , mntr ,srvr\n"
              "jute.maxbuffer=2097152\n"
              "forceSync=no\n");
  CHECK(c.tick_time_ms == 1000);
  CHECK(c.data_dir == "/var/paddock");
  CHECK(c.effective_data_log_dir() == "/var/log/paddock");
  CHECK(c.client_port == 2182);
  CHECK(c.client_port_address == "127.0.0.1");
  CHECK(c.max_client_cnxns == 0);
  CHECK(c.effective_min_session_timeout() == 3000);
  CHECK(c.effective_max_session_timeout() == 90000);
  CHECK(c.four_letter_whitelist == std::set<std::string>{"ruok", "mntr", "srvr"});
  CHECK(c.max_buffer == 2097152);
  CHECK_FALSE(c.force_sync);
}

TEST_CASE("defaults follow ZooKeeper", "[config]") {
  auto c = ok("dataDir=/d\n");
  CHECK(c.tick_time_ms == 2000);
  CHECK(c.client_port == 2181);
  CHECK(c.max_client_cnxns == 60);
  CHECK(c.effective_min_session_timeout() == 4000);
  CHECK(c.effective_max_session_timeout() == 40000);
  CHECK(c.effective_data_log_dir() == "/d");
  CHECK(c.four_letter_allowed("srvr"));
  CHECK_FALSE(c.four_letter_allowed("mntr"));
}

TEST_CASE("the whitelist: * allows all, srvr is always allowed", "[config]") {
  CHECK(ok("dataDir=/d\n4lw.commands.whitelist=*\n").four_letter_allowed("wchc"));
  auto c = ok("dataDir=/d\n4lw.commands.whitelist=ruok\n");
  CHECK(c.four_letter_allowed("ruok"));
  CHECK(c.four_letter_allowed("srvr"));
  CHECK_FALSE(c.four_letter_allowed("stat"));
}

TEST_CASE("invalid values are errors naming the key and the value", "[config]") {
  auto e = bad("dataDir=/d\ntickTime=fast\n");
  CHECK(e.key == "tickTime");
  CHECK(e.value == "fast");
  CHECK(e.to_string().find("'tickTime'") != std::string::npos);
  CHECK(e.to_string().find("'fast'") != std::string::npos);
  CHECK(bad("dataDir=/d\nclientPort=0\n").key == "clientPort");
  CHECK(bad("dataDir=/d\nclientPort=70000\n").key == "clientPort");
  CHECK(bad("dataDir=/d\nmaxClientCnxns=-1\n").key == "maxClientCnxns");
  CHECK(bad("dataDir=/d\nforceSync=maybe\n").key == "forceSync");
  CHECK(bad("dataDir=/d\ntickTime=0\n").key == "tickTime");
  CHECK(bad("dataDir=/d\nminSessionTimeout=9000\nmaxSessionTimeout=5000\n").key ==
        "minSessionTimeout");
  CHECK(bad("tickTime=2000\n").key == "dataDir");
}

TEST_CASE("unknown and not-yet-used keys are warnings, not errors", "[config]") {
  auto c = ok("dataDir=/d\nadmin.forceHttps=false\nsnapCount=1000\nbogusKey=1\n");
  REQUIRE(c.warnings.size() == 2);
  CHECK(c.warnings[0].find("admin.forceHttps") != std::string::npos);
  CHECK(c.warnings[1].find("unknown key bogusKey") != std::string::npos);
  CHECK(c.snap_count == 1000);
}

TEST_CASE("the durability keys are read as ZooKeeper reads them", "[config]") {
  auto c = ok("dataDir=/d\ndataLogDir=/l\nforceSync=no\nsnapCount=5000\npreAllocSize=1024\n"
              "autopurge.snapRetainCount=5\nautopurge.purgeInterval=2\n");
  CHECK(c.warnings.empty());
  CHECK_FALSE(c.force_sync);
  CHECK(c.snap_count == 5000);
  CHECK(c.pre_alloc_size_kb == 1024);
  CHECK(c.autopurge_snap_retain_count == 5);
  CHECK(c.autopurge_purge_interval_h == 2);
  CHECK(c.snap_dir() == "/d/paddock");
  CHECK(c.log_dir() == "/l/paddock");
  CHECK(ok("dataDir=/d\n").log_dir() == "/d/paddock"); // dataLogDir defaults to dataDir
  CHECK(bad("dataDir=/d\nforceSync=maybe\n").key == "forceSync");
  CHECK(bad("dataDir=/d\nsnapCount=1\n").key == "snapCount");
  CHECK(bad("dataDir=/d\npreAllocSize=0\n").key == "preAllocSize");
}

TEST_CASE("load_zoo_cfg reads the file and dataDir/myid", "[config]") {
  auto dir = std::filesystem::temp_directory_path() / "paddock-config-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto cfg_path = (dir / "zoo.cfg").string();
  std::ofstream(cfg_path) << "dataDir=" << dir.string() << "\n";
  auto missing = load_zoo_cfg((dir / "nope.cfg").string());
  CHECK(std::holds_alternative<config_error>(missing));

  CHECK(std::get<server_config>(load_zoo_cfg(cfg_path)).server_id == 0);
  std::ofstream(dir / "myid") << "3\n";
  CHECK(std::get<server_config>(load_zoo_cfg(cfg_path)).server_id == 3);
  std::ofstream(dir / "myid") << "three\n";
  auto r = load_zoo_cfg(cfg_path);
  REQUIRE(std::holds_alternative<config_error>(r));
  CHECK(std::get<config_error>(r).key == "myid");
  std::filesystem::remove_all(dir);
}

// ---- The ensemble: server.N lines, dynamicConfigFile, myid ----

namespace {
const char* const three_servers = "tickTime=2000\n"
                                  "dataDir=/var/lib/zookeeper\n"
                                  "clientPort=2181\n"
                                  "initLimit=5\n"
                                  "syncLimit=2\n"
                                  "server.1=zoo1:2888:3888\n"
                                  "server.2=zoo2:2888:3888\n"
                                  "server.3=zoo3:2888:3888\n";

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  REQUIRE(out);
  out << text;
}

parse_result load_in(const paddock::testing::scratch_dir& dir, const std::string& cfg,
                     std::optional<std::string> myid = std::nullopt) {
  write_file(dir.path() + "/zoo.cfg", "dataDir=" + dir.path() + "\n" + cfg);
  if (myid) write_file(dir.path() + "/myid", *myid + "\n");
  return load_zoo_cfg(dir.path() + "/zoo.cfg");
}
server_config load_ok(const paddock::testing::scratch_dir& dir, const std::string& cfg,
                      std::optional<std::string> myid = std::nullopt) {
  auto r = load_in(dir, cfg, myid);
  if (auto* e = std::get_if<config_error>(&r)) FAIL(e->to_string());
  return std::get<server_config>(r);
}
config_error load_bad(const paddock::testing::scratch_dir& dir, const std::string& cfg,
                      std::optional<std::string> myid = std::nullopt) {
  auto r = load_in(dir, cfg, myid);
  REQUIRE(std::holds_alternative<config_error>(r));
  auto e = std::get<config_error>(r);
  CHECK(e.to_string().find("'" + e.key + "'") != std::string::npos);
  return e;
}
} // namespace

TEST_CASE("a three-server zoo.cfg from ZooKeeper's guide parses unchanged", "[config]") {
  auto c = ok(three_servers);
  CHECK(c.warnings.empty());
  CHECK(c.init_limit == 5);
  CHECK(c.sync_limit == 2);
  REQUIRE(c.servers.size() == 3);
  CHECK(c.servers.at(2) == peer_address{2, "zoo2", 2888, 3888, false, "", 0});
  CHECK(to_string(c.servers.at(1)) == "zoo1:2888:3888:participant");
  CHECK(c.is_ensemble());
  CHECK(c.voter_count() == 3);
  CHECK(c.self() == nullptr); // myid is read by load_zoo_cfg
  // the new scalars keep ZooKeeper's defaults
  CHECK(c.standalone_enabled);
  CHECK_FALSE(c.reconfig_enabled);
  CHECK_FALSE(c.quorum_listen_on_all_ips);
  CHECK(c.election_port_bind_retry == 3);
  CHECK(c.cnx_timeout_ms == 5000);
  CHECK_FALSE(c.peer_type_observer);
  CHECK(c.dynamic_config_file.empty());
}

TEST_CASE("server lines: roles, client parts, IPv6 hosts", "[config]") {
  auto c = ok("dataDir=/d\n"
              "server.1=10.0.0.1:2888:3888;2181\n"
              "server.2=[fe80::2]:2888:3888:participant;[::1]:2182\n"
              "server.3 = zoo3:2889:3889:OBSERVER;0.0.0.0:2183\n"
              "server.4=zoo4:2888:3888:observer\n");
  REQUIRE(c.servers.size() == 4);
  CHECK(c.servers.at(1) == peer_address{1, "10.0.0.1", 2888, 3888, false, "", 2181});
  CHECK(c.servers.at(2) == peer_address{2, "fe80::2", 2888, 3888, false, "::1", 2182});
  CHECK(c.servers.at(3) == peer_address{3, "zoo3", 2889, 3889, true, "0.0.0.0", 2183});
  CHECK(c.servers.at(4).observer);
  CHECK(c.voter_count() == 2);
  CHECK(c.is_ensemble());
  CHECK(to_string(c.servers.at(2)) == "[fe80::2]:2888:3888:participant;[::1]:2182");
  CHECK(to_string(c.servers.at(3)) == "zoo3:2889:3889:observer;0.0.0.0:2183");
  CHECK(to_string(c.servers.at(1)) == "10.0.0.1:2888:3888:participant;2181");
}

TEST_CASE("the quorum keys are read and no longer warn", "[config]") {
  auto c =
      ok("dataDir=/d\ninitLimit=10\nsyncLimit=5\npeerType=observer\nreconfigEnabled=true\n"
         "standaloneEnabled=FALSE\nquorumListenOnAllIPs=true\nelectionPortBindRetry=0\n"
         "electionAlg=3\ncnxTimeout=7000\nreadonlymode.enabled=true\nlocalSessionsEnabled=true\n"
         "server.1=a:2888:3888\nserver.2=b:2888:3888:observer\nbogusKey=1\n");
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0].find("unknown key bogusKey") != std::string::npos);
  CHECK(c.peer_type_observer == true);
  CHECK(c.reconfig_enabled);
  CHECK_FALSE(c.standalone_enabled);
  CHECK(c.quorum_listen_on_all_ips);
  CHECK(c.election_port_bind_retry == 0);
  CHECK(c.cnx_timeout_ms == 7000);
  CHECK(c.read_only_mode_enabled);
  CHECK(c.local_sessions_enabled);
  CHECK(ok("dataDir=/d\npeerType=Participant\n").peer_type_observer == false);
}

TEST_CASE("digest.enabled: on unless set false, as ZooKeeper 3.6+", "[config]") {
  CHECK(ok("dataDir=/d\n").digest_enabled);
  CHECK_FALSE(ok("dataDir=/d\ndigest.enabled=false\n").digest_enabled);
  CHECK(ok("dataDir=/d\ndigest.enabled=true\n").warnings.empty());
}

TEST_CASE("one participant runs standalone unless standaloneEnabled=false", "[config]") {
  auto one = ok("dataDir=/d\nserver.1=a:2888:3888\n");
  CHECK(one.servers.size() == 1);
  CHECK_FALSE(one.is_ensemble()); // ZooKeeper's isDistributed(): standalone
  auto of_one = ok("dataDir=/d\nstandaloneEnabled=false\nserver.1=a:2888:3888\n");
  CHECK(of_one.is_ensemble());
  CHECK(of_one.voter_count() == 1);
  // observers need a quorum: with standaloneEnabled=false an ensemble of one can have them
  CHECK(ok("dataDir=/d\nstandaloneEnabled=false\nserver.1=a:2888:3888\n"
           "server.2=b:2888:3888:observer\n")
            .is_ensemble());
  CHECK_FALSE(ok("dataDir=/d\n").is_ensemble());
}

TEST_CASE("bad server lines and quorum keys are errors naming the key", "[config]") {
  struct row {
    const char* line;
    const char* key;
    const char* says; // a piece of the message
  };
  const row rows[] = {
      {"server.1=zoo1:2888", "server.1", "host:quorumPort:electionPort"},
      {"server.1=zoo1:2888:3888:3999:observer", "server.1", "host:quorumPort:electionPort"},
      {"server.1=zoo1:2888:3888:leader", "server.1", "participant or observer"},
      {"server.1=zoo1:2888:2888", "server.1", "must differ"},
      {"server.1=:2888:3888", "server.1", "host is missing"},
      {"server.1=zoo1:0:3888", "server.1", "quorum port '0'"},
      {"server.1=zoo1:2888:65536", "server.1", "election port '65536'"},
      {"server.1=zoo1:2888:x", "server.1", "election port 'x'"},
      {"server.1=zoo1:2888:3888;", "server.1", "host:quorumPort:electionPort"},
      {"server.1=zoo1:2888:3888;a:b:2181", "server.1", "host:quorumPort:electionPort"},
      {"server.1=zoo1:2888:3888;2181;2182", "server.1", "host:quorumPort:electionPort"},
      {"server.1=zoo1:2888:3888;:2181", "server.1", "client address"},
      {"server.1=zoo1:2888:3888;99999", "server.1", "client port '99999'"},
      {"server.1=zoo1:2888:3888|zoo1b:2888:3888", "server.1", "not supported"},
      {"server.1=::1:2888:3888", "server.1", "brackets"},
      {"server.1=[::1:2888:3888", "server.1", "matching ']'"},
      {"server.1=[::1]2888:3888", "server.1", "followed by ':'"},
      {"server.1=[zoo1]:2888:3888", "server.1", "IPv6"},
      {"server.0=zoo1:2888:3888", "server.0", "1 to 255"},
      {"server.256=zoo1:2888:3888", "server.256", "1 to 255"},
      {"server.one=zoo1:2888:3888", "server.one", "1 to 255"},
      {"server.1=a:2888:3888\nserver.1=b:2888:3888", "server.1", "already given"},
      {"server.1=a:2888:3888\nserver.01=b:2888:3888", "server.01", "already given"},
      {"server.1=a:2888:3888\nserver.2=a:2888:3889", "server.2",
       "a:2888 is the quorum port of "
       "server.2 and also the quorum "
       "port of server.1"},
      {"server.1=a:2888:3888\nserver.2=a:3888:3999", "server.2", "election port of server.1"},
      {"server.1=a:2888:3888;2888\nserver.2=b:2888:3888", "server.1", "client port"},
      {"server.1=[::1]:2888:3888\nserver.2=[::1]:2889:3888", "server.2", "[::1]:3888"},
      {"server.1=a:2888:3888:observer", "server.1", "at least one participant"},
      {"server.1=a:2888:3888\nserver.2=b:2888:3888:observer", "server.2", "standaloneEnabled"},
      {"standaloneEnabled=false", "standaloneEnabled", "server.N"},
      {"standaloneEnabled=no", "standaloneEnabled", "true or false"},
      {"reconfigEnabled=1", "reconfigEnabled", "true or false"},
      {"readonlymode.enabled=yes", "readonlymode.enabled", "true or false"},
      {"localSessionsEnabled=1", "localSessionsEnabled", "true or false"},
      {"digest.enabled=yes", "digest.enabled", "true or false"},
      {"quorumListenOnAllIPs=yes", "quorumListenOnAllIPs", "true or false"},
      {"peerType=leader", "peerType", "observer or participant"},
      {"electionAlg=0", "electionAlg", "must be 3"},
      {"electionAlg=fast", "electionAlg", "must be 3"},
      {"electionPortBindRetry=-1", "electionPortBindRetry", "retry forever"},
      {"cnxTimeout=0", "cnxTimeout", "positive"},
      {"initLimit=0", "initLimit", "positive"},
      {"syncLimit=-1", "syncLimit", "positive"},
      {"dynamicConfigFile=", "dynamicConfigFile", "must name a file"},
      {"dynamicConfigFile=/etc/zoo.cfg.dynamic\nserver.1=a:2888:3888", "server.1",
       "dynamic configuration file"},
  };
  for (const auto& r : rows) {
    INFO(r.line);
    auto e = bad("dataDir=/d\n" + std::string(r.line) + "\n");
    CHECK(e.key == r.key);
    INFO(e.to_string());
    CHECK(e.to_string().find(std::string("'") + r.key + "'") != std::string::npos);
    CHECK(e.to_string().find(r.says) != std::string::npos);
  }
}

TEST_CASE("myid must name one of the servers of an ensemble", "[config]") {
  paddock::testing::scratch_dir dir;
  const std::string cfg = "clientPort=2181\nserver.1=zoo1:2888:3888\nserver.2=zoo2:2888:3888\n"
                          "server.3=zoo3:2888:3888\n";
  auto missing = load_bad(dir, cfg);
  CHECK(missing.key == "myid");
  CHECK(missing.message.find(dir.path() + "/myid") != std::string::npos);
  CHECK(missing.message.find("1, 2, 3") != std::string::npos);

  auto stranger = load_bad(dir, cfg, "4");
  CHECK(stranger.key == "myid");
  CHECK(stranger.value == "4");
  CHECK(stranger.message.find("1, 2, 3") != std::string::npos);

  auto c = load_ok(dir, cfg, "2");
  REQUIRE(c.self() != nullptr);
  CHECK(c.self()->host == "zoo2");
  CHECK(c.server_id == 2);

  // a single participant runs standalone: myid is not needed
  std::filesystem::remove(dir.path() + "/myid");
  CHECK(load_ok(dir, "server.1=zoo1:2888:3888\n").self() == nullptr);
}

TEST_CASE("this server's client part, clientPort and peerType must agree", "[config]") {
  paddock::testing::scratch_dir dir;
  const std::string servers = "server.1=zoo1:2888:3888;2181\n"
                              "server.2=zoo2:2888:3888:observer;10.0.0.2:2182\n"
                              "server.3=zoo3:2888:3888\n";
  // the line gives the client port and address
  auto c = load_ok(dir, servers, "2");
  CHECK(c.client_port == 2182);
  CHECK(c.client_port_address == "10.0.0.2");
  CHECK(load_ok(dir, "clientPort=2182\nclientPortAddress=10.0.0.2\n" + servers, "2").client_port ==
        2182);
  CHECK(load_ok(dir, "clientPort=2182\nclientPortAddress=0.0.0.0\n" + servers, "2")
            .client_port_address == "10.0.0.2");
  CHECK(load_ok(dir, "clientPort=2181\n" + servers, "1").client_port == 2181);

  auto port = load_bad(dir, "clientPort=2181\n" + servers, "2");
  CHECK(port.key == "clientPort");
  CHECK(port.value == "2181");
  CHECK(port.message.find("2182") != std::string::npos);
  auto addr = load_bad(dir, "clientPortAddress=10.0.0.9\n" + servers, "2");
  CHECK(addr.key == "clientPortAddress");
  CHECK(addr.message.find("10.0.0.2") != std::string::npos);
  // a specific clientPortAddress against a line's client part on all addresses
  CHECK(load_bad(dir, "clientPortAddress=10.0.0.9\n" + servers, "1").key == "clientPortAddress");

  // server 3 has no client part and there is no clientPort
  auto none = load_bad(dir, servers, "3");
  CHECK(none.key == "clientPort");
  CHECK(none.message.find("required") != std::string::npos);
  CHECK(load_ok(dir, "clientPort=2181\n" + servers, "3").client_port == 2181);

  // peerType against the line
  CHECK(load_ok(dir, "peerType=observer\n" + servers, "2").self()->observer);
  auto type = load_bad(dir, "peerType=participant\n" + servers, "2");
  CHECK(type.key == "peerType");
  CHECK(type.message.find("observer") != std::string::npos);
  CHECK(load_bad(dir, "clientPort=2181\npeerType=observer\n" + servers, "3").key == "peerType");
}

TEST_CASE("dynamicConfigFile holds the server lines", "[config]") {
  paddock::testing::scratch_dir dir;
  const auto dyn = dir.path() + "/zoo.cfg.dynamic.100000000";
  write_file(dyn, "version=100000000\n"
                  "server.1=zoo1:2888:3888:participant;0.0.0.0:2181\n"
                  "server.2=zoo2:2888:3888:participant;0.0.0.0:2181\n"
                  "server.3=zoo3:2888:3888:participant;0.0.0.0:2181\n");
  auto c = load_ok(dir, "reconfigEnabled=true\ndynamicConfigFile=" + dyn + "\n", "3");
  CHECK(c.warnings.empty());
  CHECK(c.servers.size() == 3);
  CHECK(c.is_ensemble());
  CHECK(c.self()->host == "zoo3");
  CHECK(c.client_port == 2181);
  CHECK(c.client_port_address == "0.0.0.0");

  SECTION("a relative path is relative to the working directory") {
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    auto r = load_in(dir, "dynamicConfigFile=zoo.cfg.dynamic.100000000\n", "1");
    std::filesystem::current_path(cwd);
    REQUIRE(std::holds_alternative<server_config>(r));
    CHECK(std::get<server_config>(r).servers.size() == 3);
  }
  SECTION("server lines in both files") {
    auto e = load_bad(dir, "dynamicConfigFile=" + dyn + "\nserver.4=zoo4:2888:3888\n", "3");
    CHECK(e.key == "server.4");
  }
  SECTION("the same id in the dynamic file twice") {
    write_file(dyn, "server.1=zoo1:2888:3888;2181\nserver.1=zoo9:2888:3888;2181\n");
    auto e = load_bad(dir, "dynamicConfigFile=" + dyn + "\n", "1");
    CHECK(e.key == "server.1");
    CHECK(e.message.find(dyn) != std::string::npos);
  }
  SECTION("other keys do not belong in the dynamic file") {
    write_file(dyn, "clientPort=2181\nserver.1=zoo1:2888:3888;2181\n");
    auto e = load_bad(dir, "dynamicConfigFile=" + dyn + "\n", "1");
    CHECK(e.key == "clientPort");
    CHECK(e.message.find("only server.N") != std::string::npos);
  }
  SECTION("a missing dynamic file") {
    auto e = load_bad(dir, "dynamicConfigFile=" + dir.path() + "/nope\n", "1");
    CHECK(e.key == "dynamicConfigFile");
    CHECK(e.value == dir.path() + "/nope");
  }
  SECTION("myid is checked against the dynamic file's servers") {
    auto e = load_bad(dir, "dynamicConfigFile=" + dyn + "\n", "7");
    CHECK(e.key == "myid");
    CHECK(e.message.find("1, 2, 3") != std::string::npos);
  }
}

TEST_CASE("the container / TTL sweeper keys", "[config]") {
  auto d = ok("dataDir=/d\n");
  CHECK(d.container_check_interval_ms == 60000);
  CHECK(d.container_max_per_minute == 10000);
  CHECK_FALSE(d.extended_types_enabled);
  CHECK(ok("dataDir=/d\nextendedTypesEnabled=true\n").extended_types_enabled);
  CHECK(bad("dataDir=/d\nextendedTypesEnabled=perhaps\n").key == "extendedTypesEnabled");
  auto c = ok("dataDir=/d\nznode.container.checkIntervalMs=250\n"
              "znode.container.maxPerMinute=600\n");
  CHECK(c.warnings.empty());
  CHECK(c.container_check_interval_ms == 250);
  CHECK(c.container_max_per_minute == 600);
  CHECK(bad("dataDir=/d\nznode.container.checkIntervalMs=0\n").key ==
        "znode.container.checkIntervalMs");
  CHECK(bad("dataDir=/d\nznode.container.checkIntervalMs=soon\n").key ==
        "znode.container.checkIntervalMs");
  CHECK(bad("dataDir=/d\nznode.container.maxPerMinute=-5\n").key == "znode.container.maxPerMinute");
}

TEST_CASE("the client flow keys: globalOutstandingLimit, nio.sessionlessCnxnTimeout", "[config]") {
  auto d = ok("dataDir=/d\n");
  CHECK(d.global_outstanding_limit == 1000);
  CHECK(d.sessionless_cnxn_timeout_ms == 10000);
  auto c = ok("dataDir=/d\nglobalOutstandingLimit=50\nnio.sessionlessCnxnTimeout=2500\n");
  CHECK(c.warnings.empty());
  CHECK(c.global_outstanding_limit == 50);
  CHECK(c.sessionless_cnxn_timeout_ms == 2500);
  CHECK(bad("dataDir=/d\nglobalOutstandingLimit=0\n").key == "globalOutstandingLimit");
  CHECK(bad("dataDir=/d\nnio.sessionlessCnxnTimeout=x\n").key == "nio.sessionlessCnxnTimeout");
}

TEST_CASE("paddock.workerThreads: the scheduler's threads, -1 for the default", "[config]") {
  CHECK(ok("dataDir=/d\n").worker_threads == -1);
  CHECK(ok("dataDir=/d\npaddock.workerThreads=0\n").worker_threads == 0);
  auto c = ok("dataDir=/d\npaddock.workerThreads=3\n");
  CHECK(c.warnings.empty());
  CHECK(c.worker_threads == 3);
  CHECK(bad("dataDir=/d\npaddock.workerThreads=-2\n").key == "paddock.workerThreads");
  CHECK(bad("dataDir=/d\npaddock.workerThreads=1000\n").key == "paddock.workerThreads");
}

TEST_CASE("paddock.linearizableReads: off unless set", "[config]") {
  CHECK_FALSE(ok("dataDir=/d\n").linearizable_reads);
  CHECK(ok("dataDir=/d\npaddock.linearizableReads=true\n").linearizable_reads);
  CHECK(ok("dataDir=/d\npaddock.linearizableReads=TRUE\n").linearizable_reads);
  CHECK_FALSE(ok("dataDir=/d\npaddock.linearizableReads=false\n").linearizable_reads);
  CHECK(bad("dataDir=/d\npaddock.linearizableReads=yes\n").key == "paddock.linearizableReads");
}

TEST_CASE("DigestAuthenticationProvider.superDigest in zoo.cfg", "[acl][config]") {
  const std::string super_id = paddock::store::digest_identity("super:sekrit");
  auto ok =
      parse_zoo_cfg("dataDir=/tmp/x\nDigestAuthenticationProvider.superDigest=" + super_id + "\n");
  REQUIRE(std::holds_alternative<server_config>(ok));
  CHECK(std::get<server_config>(ok).super_digest == super_id);
  for (const std::string& bad : std::vector<std::string>{"super:sekrit", "super", ":abc",
                                                         "super:" + super_id.substr(6, 27) + "!"}) {
    INFO(bad);
    auto r = parse_zoo_cfg(std::string("dataDir=/tmp/x\n") +
                           "DigestAuthenticationProvider.superDigest=" + bad + "\n");
    REQUIRE(std::holds_alternative<config_error>(r));
    CHECK(std::get<config_error>(r).key == "DigestAuthenticationProvider.superDigest");
  }
}

TEST_CASE("metricsProvider keys: the Prometheus class switches /metrics on", "[config]") {
  auto none = ok("dataDir=/d\n");
  CHECK_FALSE(none.metrics_enabled);
  CHECK(none.metrics_http_host == "0.0.0.0");
  CHECK(none.metrics_http_port == 7000);
  auto on = ok("dataDir=/d\n"
               "metricsProvider.className=org.apache.zookeeper.metrics.prometheus."
               "PrometheusMetricsProvider\n"
               "metricsProvider.httpHost=127.0.0.1\nmetricsProvider.httpPort=7123\n"
               "metricsProvider.exportJvmInfo=false\n");
  CHECK(on.metrics_enabled);
  CHECK(on.metrics_http_host == "127.0.0.1");
  CHECK(on.metrics_http_port == 7123);
  CHECK_FALSE(on.metrics_export_jvm_info);
  CHECK(on.warnings.empty());
  auto other = ok("dataDir=/d\nmetricsProvider.className=com.example.Other\n");
  CHECK_FALSE(other.metrics_enabled);
  REQUIRE(other.warnings.size() == 1);
  CHECK(other.warnings[0].find("no /metrics endpoint") != std::string::npos);
  auto dflt = ok("dataDir=/d\nmetricsProvider.className=org.apache.zookeeper.metrics.impl."
                 "DefaultMetricsProvider\n");
  CHECK_FALSE(dflt.metrics_enabled);
  CHECK(dflt.warnings.empty());
  CHECK(bad("dataDir=/d\nmetricsProvider.httpPort=seven\n").key == "metricsProvider.httpPort");
  CHECK(bad("dataDir=/d\nmetricsProvider.httpPort=70000\n").key == "metricsProvider.httpPort");
  CHECK(bad("dataDir=/d\nmetricsProvider.exportJvmInfo=yes\n").key ==
        "metricsProvider.exportJvmInfo");
}

TEST_CASE("the AdminServer is on by default, on 0.0.0.0:8080 under /commands", "[config]") {
  auto c = ok("dataDir=/d\n");
  CHECK(c.admin_enable_server);
  CHECK(c.admin_server_address == "0.0.0.0");
  CHECK(c.admin_server_port == 8080);
  CHECK(c.admin_command_url == "/commands");
  CHECK(c.admin_idle_timeout_ms == 30000);
  CHECK(c.warnings.empty());
}

TEST_CASE("the admin.* keys are read, and a bad value names its key", "[config]") {
  auto c = ok("dataDir=/d\nadmin.enableServer=false\nadmin.serverAddress=127.0.0.1\n"
              "admin.serverPort=9090\nadmin.commandURL=/zk\nadmin.idleTimeout=5000\n");
  CHECK_FALSE(c.admin_enable_server);
  CHECK(c.admin_server_address == "127.0.0.1");
  CHECK(c.admin_server_port == 9090);
  CHECK(c.admin_command_url == "/zk");
  CHECK(c.admin_idle_timeout_ms == 5000);
  CHECK(c.warnings.empty());
  CHECK(bad("dataDir=/d\nadmin.enableServer=yes\n").key == "admin.enableServer");
  CHECK(bad("dataDir=/d\nadmin.serverPort=0\n").key == "admin.serverPort");
  CHECK(bad("dataDir=/d\nadmin.serverPort=http\n").key == "admin.serverPort");
  CHECK(bad("dataDir=/d\nadmin.serverPort=65536\n").key == "admin.serverPort");
  CHECK(bad("dataDir=/d\nadmin.commandURL=commands\n").key == "admin.commandURL");
  CHECK(bad("dataDir=/d\nadmin.commandURL=/\n").key == "admin.commandURL");
  CHECK(bad("dataDir=/d\nadmin.serverAddress=\n").key == "admin.serverAddress");
  CHECK(bad("dataDir=/d\nadmin.idleTimeout=0\n").key == "admin.idleTimeout");
}

TEST_CASE("the SASL keys", "[config][sasl]") {
  auto c = ok("dataDir=/d\n"
              "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n"
              "jaasLoginConfig=/etc/zk/jaas.conf\n"
              "enforce.auth.enabled=true\n"
              "enforce.auth.schemes=sasl, digest\n"
              "kerberos.removeHostFromPrincipal=true\n"
              "kerberos.removeRealmFromPrincipal=TRUE\n"
              "superUser=admin\n");
  CHECK(c.sasl_provider);
  CHECK(c.jaas_login_config == "/etc/zk/jaas.conf");
  CHECK(c.sasl_server_section == "Server");
  CHECK(c.enforce_auth_enabled);
  CHECK(c.enforce_auth_schemes == std::vector<std::string>{"sasl", "digest"});
  CHECK(c.enforce_auth_satisfied_by("digest"));
  CHECK_FALSE(c.enforce_auth_satisfied_by("ip"));
  CHECK(c.remove_host_from_principal);
  CHECK(c.remove_realm_from_principal);
  CHECK(c.sasl_super_user == "admin");
  CHECK(c.warnings.empty());
  // The providers registered by default are accepted quietly; others are warned about.
  auto d = ok("dataDir=/d\n"
              "authProvider.1=org.apache.zookeeper.server.auth.DigestAuthenticationProvider\n"
              "authProvider.2=com.example.MyProvider\n");
  CHECK_FALSE(d.sasl_provider);
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].find("com.example.MyProvider") != std::string::npos);
}

TEST_CASE("enforce.auth needs schemes this server has providers for", "[config][sasl]") {
  auto no_schemes = bad("dataDir=/d\nenforce.auth.enabled=true\n");
  CHECK(no_schemes.key == "enforce.auth.schemes");
  auto no_provider = bad("dataDir=/d\nenforce.auth.enabled=true\nenforce.auth.schemes=sasl\n");
  CHECK(no_provider.key == "enforce.auth.schemes");
  CHECK(no_provider.message.find("SASLAuthenticationProvider") != std::string::npos);
  CHECK(bad("dataDir=/d\nenforce.auth.enabled=true\nenforce.auth.schemes=x509\n").value == "x509");
  CHECK(bad("dataDir=/d\nenforce.auth.enabled=yes\n").key == "enforce.auth.enabled");
  // Schemes alone do nothing; sessionRequireClientSASLAuth means enforce sasl.
  CHECK_FALSE(ok("dataDir=/d\nenforce.auth.schemes=digest\n").enforce_auth_enabled);
  auto required =
      ok("dataDir=/d\nsessionRequireClientSASLAuth=true\n"
         "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n");
  CHECK(required.enforce_auth_enabled);
  CHECK(required.enforce_auth_schemes == std::vector<std::string>{"sasl"});
}

TEST_CASE("quorum SASL keys", "[config][sasl][quorum]") {
  auto off = ok("dataDir=/d\n");
  CHECK_FALSE(off.quorum_enable_sasl);
  CHECK_FALSE(off.quorum_learner_require_sasl);
  CHECK_FALSE(off.quorum_server_require_sasl);
  CHECK(off.quorum_learner_login_context == "QuorumLearner");
  CHECK(off.quorum_server_login_context == "QuorumServer");
  auto on = ok("dataDir=/d\nquorum.auth.enableSasl=true\nquorum.auth.learnerRequireSasl=true\n"
               "quorum.auth.serverRequireSasl=true\nquorum.auth.learner.saslLoginContext=QL\n"
               "quorum.auth.server.saslLoginContext=QS\n");
  CHECK(on.quorum_enable_sasl);
  CHECK(on.quorum_learner_require_sasl);
  CHECK(on.quorum_server_require_sasl);
  CHECK(on.quorum_learner_login_context == "QL");
  CHECK(on.quorum_server_login_context == "QS");
  CHECK(on.warnings.empty());
  CHECK(ok("dataDir=/d\nquorum.auth.enableSasl=true\n").quorum_enable_sasl);
  CHECK(bad("dataDir=/d\nquorum.auth.enableSasl=yes\n").key == "quorum.auth.enableSasl");
  CHECK(bad("dataDir=/d\nquorum.auth.server.saslLoginContext=\n").key ==
        "quorum.auth.server.saslLoginContext");
  // GSSAPI between servers is not built.
  auto krb = bad("dataDir=/d\nquorum.auth.kerberos.servicePrincipal=zkquorum/localhost\n");
  CHECK(krb.key == "quorum.auth.kerberos.servicePrincipal");
  CHECK(krb.message.find("not supported") != std::string::npos);
}

TEST_CASE("quorum SASL switches follow ZooKeeper's rules", "[config][sasl][quorum]") {
  // QuorumPeerConfig's checks, with its messages.
  auto server_only = bad("dataDir=/d\nquorum.auth.serverRequireSasl=true\n");
  CHECK(server_only.key == "quorum.auth.serverRequireSasl");
  CHECK(server_only.message ==
        "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.serverRequireSasl");
  auto learner_only = bad("dataDir=/d\nquorum.auth.learnerRequireSasl=true\n");
  CHECK(learner_only.key == "quorum.auth.learnerRequireSasl");
  CHECK(learner_only.message ==
        "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.learnerRequireSasl");
  auto server_without_learner =
      bad("dataDir=/d\nquorum.auth.enableSasl=true\nquorum.auth.serverRequireSasl=true\n");
  CHECK(server_without_learner.message ==
        "quorum.auth.learnerRequireSasl is disabled, so cannot enable "
        "quorum.auth.serverRequireSasl");
  CHECK(ok("dataDir=/d\nquorum.auth.enableSasl=true\nquorum.auth.learnerRequireSasl=true\n")
            .quorum_learner_require_sasl);
}
