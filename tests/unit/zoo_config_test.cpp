// zoo.cfg parsing and validation: errors name the key and the value.
#include "config/zoo_config.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

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

TEST_CASE("every key is read, in each of Java's separators") {
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

TEST_CASE("defaults follow ZooKeeper") {
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

TEST_CASE("the whitelist: * allows all, srvr is always allowed") {
  CHECK(ok("dataDir=/d\n4lw.commands.whitelist=*\n").four_letter_allowed("wchc"));
  auto c = ok("dataDir=/d\n4lw.commands.whitelist=ruok\n");
  CHECK(c.four_letter_allowed("ruok"));
  CHECK(c.four_letter_allowed("srvr"));
  CHECK_FALSE(c.four_letter_allowed("stat"));
}

TEST_CASE("invalid values are errors naming the key and the value") {
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

TEST_CASE("unknown and not-yet-used keys are warnings, not errors") {
  auto c = ok("dataDir=/d\nserver.1=a:2888:3888\nsnapCount=1000\nbogusKey=1\n");
  REQUIRE(c.warnings.size() == 2);
  CHECK(c.warnings[0].find("server.1") != std::string::npos);
  CHECK(c.warnings[1].find("unknown key bogusKey") != std::string::npos);
  CHECK(c.snap_count == 1000);
}

TEST_CASE("the durability keys are read as ZooKeeper reads them") {
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

TEST_CASE("load_zoo_cfg reads the file and dataDir/myid") {
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
