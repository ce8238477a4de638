// The membership texts and the reconfig rules, against what Debian's ZooKeeper 3.8 printed
// for the same requests (a 3-server ensemble with clientPort in zoo.cfg, reconfigEnabled).
#include "config/membership.hpp"

#include <catch2/catch.hpp>

using namespace paddock::config;

namespace {

members_map three() {
  auto parsed = parse_members("server.1=127.0.0.1:16281:16381:participant\n"
                              "server.2=127.0.0.1:16282:16382:participant\n"
                              "server.3=127.0.0.1:16283:16383:participant");
  REQUIRE(std::holds_alternative<members_map>(parsed));
  return std::get<members_map>(parsed);
}

members_map next_of(std::variant<members_map, reconfig_refusal> r) {
  if (auto* refusal = std::get_if<reconfig_refusal>(&r)) FAIL(refusal->message);
  return std::get<members_map>(r);
}

bool refused(const std::variant<members_map, reconfig_refusal>& r) {
  return std::holds_alternative<reconfig_refusal>(r);
}

peer_address parse_server_or_fail(std::string_view key, std::string_view value) {
  auto parsed = parse_server(key, value);
  if (auto* e = std::get_if<config_error>(&parsed)) FAIL(e->to_string());
  return std::get<peer_address>(parsed);
}

} // namespace

TEST_CASE("/zookeeper/config's text is ZooKeeper's, byte for byte", "[membership]") {
  auto m = three();
  CHECK(config_node_data(members_text(m), 0x100000000) ==
        "server.1=127.0.0.1:16281:16381:participant\n"
        "server.2=127.0.0.1:16282:16382:participant\n"
        "server.3=127.0.0.1:16283:16383:participant\n"
        "version=100000000");
  // A joiner's client port alone is printed on all addresses; an address is kept.
  auto added = next_of(reconfig_members(m, "server.4=127.0.0.1:16284:16384;16184", std::nullopt,
                                        std::nullopt, true));
  added = next_of(reconfig_members(added, "server.5=127.0.0.1:16285:16385:observer;127.0.0.1:16185",
                                   std::nullopt, std::nullopt, true));
  CHECK(config_node_data(members_text(added), 0x100000003) ==
        "server.1=127.0.0.1:16281:16381:participant\n"
        "server.2=127.0.0.1:16282:16382:participant\n"
        "server.3=127.0.0.1:16283:16383:participant\n"
        "server.4=127.0.0.1:16284:16384:participant;0.0.0.0:16184\n"
        "server.5=127.0.0.1:16285:16385:observer;127.0.0.1:16185\n"
        "version=100000003");
  CHECK(server_spec(parse_server_or_fail("server.9", "[::1]:2888:3888;[::1]:2181")) ==
        "[::1]:2888:3888:participant;[::1]:2181");
}

TEST_CASE("incremental and bulk reconfigs, and their refusals", "[membership]") {
  auto m = three();
  auto fewer = next_of(reconfig_members(m, std::nullopt, "3", std::nullopt, true));
  CHECK(fewer.size() == 2);
  CHECK_FALSE(fewer.contains(3));
  // A joiner with an id already there replaces it (a role or a port change).
  auto observer = next_of(reconfig_members(m, "server.3=127.0.0.1:16283:16383:observer;16183",
                                           std::nullopt, std::nullopt, false));
  CHECK(observer.at(3).observer);
  // Bulk: commas or newlines between the lines; exactly those servers.
  auto bulk = next_of(reconfig_members(m, std::nullopt, std::nullopt,
                                       "server.1=127.0.0.1:16281:16381;16181,"
                                       "server.2=127.0.0.1:16282:16382;16182\n"
                                       "server.7=127.0.0.1:16287:16387;16187",
                                       true));
  CHECK(members_text(bulk) == "server.1=127.0.0.1:16281:16381:participant;0.0.0.0:16181\n"
                              "server.2=127.0.0.1:16282:16382:participant;0.0.0.0:16182\n"
                              "server.7=127.0.0.1:16287:16387:participant;0.0.0.0:16187");
  // Refusals (BadArguments): a joiner without its client port, a malformed line, an address
  // used twice, every participant removed, one participant left with standaloneEnabled.
  CHECK(refused(
      reconfig_members(m, "server.4=127.0.0.1:16284:16384", std::nullopt, std::nullopt, true)));
  CHECK(refused(reconfig_members(m, "server.4=nonsense", std::nullopt, std::nullopt, true)));
  CHECK(refused(reconfig_members(m, "server.4=127.0.0.1:16281:16384;16184", std::nullopt,
                                 std::nullopt, true)));
  CHECK(refused(reconfig_members(m, std::nullopt, "1,2,3", std::nullopt, false)));
  CHECK(refused(reconfig_members(m, std::nullopt, "2,3", std::nullopt, true)));
  CHECK(refused(reconfig_members(m, std::nullopt, "x", std::nullopt, true)));
  CHECK_FALSE(refused(reconfig_members(m, std::nullopt, "2,3", std::nullopt, false)));
}

TEST_CASE("dynamic configuration files: names carry the version", "[membership]") {
  CHECK(dynamic_config_path("/etc/zk/zoo.cfg", 0x100000002) == "/etc/zk/zoo.cfg.dynamic.100000002");
  CHECK(version_of_dynamic_config_path("/etc/zk/zoo.cfg.dynamic.100000002") == 0x100000002);
  CHECK(version_of_dynamic_config_path("/etc/zk/zoo.cfg.dynamic") == 0);
  CHECK(version_of_dynamic_config_path("/etc/zk/zoo.cfg.dynamic.next") == 0);
  // zoo.cfg loses its ensemble lines and points at the dynamic file.
  CHECK(rewrite_static_config("tickTime=2000\nclientPort=2181\nserver.1=h:1:2\npeerType=observer\n"
                              "dynamicConfigFile=/old\n",
                              "/etc/zk/zoo.cfg.dynamic.100000000", false) ==
        "tickTime=2000\nclientPort=2181\ndynamicConfigFile=/etc/zk/zoo.cfg.dynamic.100000000\n");
  CHECK(rewrite_static_config("clientPort=2181\nclientPortAddress=127.0.0.1\n", "/d", true) ==
        "dynamicConfigFile=/d\n");
}
