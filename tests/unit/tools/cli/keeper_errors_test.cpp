// zkCli's wording of ZooKeeper errors (CliWrapperException, KeeperException.getMessage).
#include "protocol/jute/error_code.hpp"
#include "tools/cli/keeper_errors.hpp"

#include <catch2/catch.hpp>

using namespace paddock::cli;
using code = paddock::jute::error_code;

static int32_t c(code e) {
  return static_cast<int32_t>(e);
}

TEST_CASE("the common errors read as zkCli prints them", "[cli]") {
  CHECK(keeper_message(c(code::no_node), "/x") == "Node does not exist: /x");
  CHECK(keeper_message(c(code::node_exists), "/x") == "Node already exists: /x");
  CHECK(keeper_message(c(code::bad_version), "/x") == "version No is not valid : /x");
  CHECK(keeper_message(c(code::no_auth), "/x") == "Insufficient permission : /x");
  CHECK(keeper_message(c(code::not_empty), "/x") == "Node not empty: /x");
  CHECK(keeper_message(c(code::no_children_for_ephemerals), "/x") ==
        "Ephemerals cannot have children: /x");
  CHECK(keeper_message(c(code::bad_arguments), "") == "Arguments are not valid : ");
}

TEST_CASE("the others are the Java client's KeeperException message", "[cli]") {
  CHECK(keeper_message(c(code::no_watcher), "/x") == "KeeperErrorCode = No such watcher for /x");
  CHECK(keeper_message(c(code::unimplemented), "/ttl") ==
        "KeeperErrorCode = Unimplemented for /ttl");
  CHECK(keeper_message(c(code::reconfig_disabled), "") == "KeeperErrorCode = Reconfig is disabled");
  CHECK(keeper_message(c(code::auth_failed), "") == "KeeperErrorCode = AuthFailed");
  CHECK(code_name(c(code::no_node)) == "NoNode");
}
