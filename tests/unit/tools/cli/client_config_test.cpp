// config -c: ConfigUtils.getClientConfigStr.
#include "tools/cli/client_config.hpp"

#include <catch2/catch.hpp>

using paddock::cli::client_config_string;

TEST_CASE("the client addresses of a dynamic configuration, with its version", "[cli]") {
  // server.2's key lands in an earlier bin of Java's table than server.1's; server.3 has no
  // client address (ZooKeeper 3.8 printed exactly this).
  CHECK(client_config_string("server.1=h1:2888:3888:participant;127.0.0.1:2181\n"
                             "server.2=h2:2888:3888:observer;2182\n"
                             "server.3=h3:2888:3888\n"
                             "version=100000000\n") == "100000000 0.0.0.0:2182,127.0.0.1:2181,");
  CHECK(client_config_string("") == " ");
}

TEST_CASE("the servers come in the order ZooKeeper's client prints them", "[cli]") {
  // What ConfigUtils.getClientConfigStr of ZooKeeper 3.8 printed for this configuration.
  std::string config;
  for (int i = 1; i <= 5; ++i)
    config += "server." + std::to_string(i) + "=127.0.0.1:" + std::to_string(2887 + i) + ":" +
              std::to_string(3887 + i) + ":participant;127.0.0.1:" + std::to_string(2180 + i) +
              "\n";
  config += "version=100000000";
  CHECK(client_config_string(config) == "100000000 127.0.0.1:2182,127.0.0.1:2181,127.0.0.1:2185,"
                                        "127.0.0.1:2184,127.0.0.1:2183");
}
