// zkCli's one-dash reconfig options become CLI11's double-dash ones, and nothing else changes.
#include "tools/cli/zkcli_spellings.hpp"

#include <catch2/catch.hpp>

using paddock::cli::with_zkcli_spellings;
using args = std::vector<std::string>;

TEST_CASE("after reconfig, -add -remove -members -file gain a dash", "[cli]") {
  CHECK(with_zkcli_spellings({"--server", "h:1", "reconfig", "-add", "server.4=a:1:2;3", "-remove",
                              "2", "-v", "1a", "-s"}) == args{"--server", "h:1", "reconfig",
                                                              "--add", "server.4=a:1:2;3",
                                                              "--remove", "2", "-v", "1a", "-s"});
  CHECK(with_zkcli_spellings({"reconfig", "-members", "m", "-file", "f"}) ==
        args{"reconfig", "--members", "m", "--file", "f"});
}

TEST_CASE("other commands and words are left alone", "[cli]") {
  CHECK(with_zkcli_spellings({"create", "/x", "-add"}) == args{"create", "/x", "-add"});
  CHECK(with_zkcli_spellings({"-add", "reconfig", "--add", "-addx"}) ==
        args{"-add", "reconfig", "--add", "-addx"});
}
