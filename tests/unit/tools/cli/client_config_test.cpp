// config -c: ConfigUtils.getClientConfigStr.
#include "tools/cli/client_config.hpp"

#include <catch2/catch.hpp>

using paddock::cli::client_config_string;

TEST_CASE("the client addresses of a dynamic configuration, with its version", "[cli]") {
  CHECK(client_config_string("server.1=h1:2888:3888:participant;127.0.0.1:2181\n"
                             "server.2=h2:2888:3888:observer;2182\n"
                             "server.3=h3:2888:3888\n"
                             "version=100000000\n") == "100000000 127.0.0.1:2181,0.0.0.0:2182");
  CHECK(client_config_string("") == " ");
}
