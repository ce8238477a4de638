// paddock-cli reconfig's options → the reconfig request, with zkCli's rules: one mode only,
// the version in hex, a file's server.N lines and nothing else.
#include "tools/cli/reconfig_spec.hpp"

#include <catch2/catch.hpp>

using paddock::cli::build_reconfig_request;
using paddock::cli::parse_config_version;
using paddock::cli::reconfig_options;
using paddock::cli::server_lines;
using paddock::jute::reconfig_request;

namespace {

reconfig_request built(const reconfig_options& options) {
  auto r = build_reconfig_request(options);
  if (auto* why = std::get_if<std::string>(&r)) FAIL(*why);
  return std::get<reconfig_request>(r);
}

std::string refusal(const reconfig_options& options) {
  auto r = build_reconfig_request(options);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

} // namespace

TEST_CASE("incremental: what is not given stays null on the wire", "[cli][reconfig]") {
  reconfig_options o;
  o.remove = "3";
  auto r = built(o);
  CHECK(r.leaving_servers == std::optional<std::string>("3"));
  CHECK_FALSE(r.joining_servers);
  CHECK_FALSE(r.new_members);
  CHECK(r.cur_config_id == -1);

  o.add = "server.4=Host4:2888:3888:Observer;2181";
  r = built(o);
  // zkCli lower-cases its command-line values.
  CHECK(r.joining_servers == std::optional<std::string>("server.4=host4:2888:3888:observer;2181"));
  CHECK(r.leaving_servers == std::optional<std::string>("3"));
}

TEST_CASE("bulk: --members as given, --file's server lines only", "[cli][reconfig]") {
  reconfig_options o;
  o.members = "server.1=a:1:2;3,server.2=b:1:2;3";
  auto r = built(o);
  CHECK(r.new_members == std::optional<std::string>("server.1=a:1:2;3,server.2=b:1:2;3"));
  CHECK_FALSE(r.joining_servers);
  CHECK_FALSE(r.leaving_servers);

  reconfig_options f;
  f.file = "# a dynamic file\nserver.1=a:1:2:participant;0.0.0.0:3\n  server.2 = b:1:2;3  \n"
           "version=100000000\nclientPort=2181\n\n";
  r = built(f);
  CHECK(r.new_members ==
        std::optional<std::string>("server.1=a:1:2:participant;0.0.0.0:3\nserver.2 = b:1:2;3"));
}

TEST_CASE("the version is hex, as /zookeeper/config prints it", "[cli][reconfig]") {
  CHECK(parse_config_version("100000000") == 0x100000000);
  CHECK(parse_config_version("0x1a") == 0x1a);
  CHECK(parse_config_version("-1") == -1);
  for (const char* bad : {"", "0x", "zz", "12g", "--1", "+1", "1 ", "10000000000000000"}) {
    INFO(bad);
    CHECK_FALSE(parse_config_version(bad));
  }
  reconfig_options o;
  o.remove = "2";
  o.version = "200000003";
  CHECK(built(o).cur_config_id == 0x200000003);
  o.version = "v3";
  CHECK_THAT(refusal(o), Catch::Contains("hex"));
}

TEST_CASE("mixing modes, or giving none, is refused", "[cli][reconfig]") {
  CHECK_THAT(refusal({}), Catch::Contains("at least one"));
  reconfig_options mixed;
  mixed.add = "server.4=a:1:2;3";
  mixed.members = "server.1=a:1:2;3";
  CHECK_THAT(refusal(mixed), Catch::Contains("mixing incremental and non-incremental"));
  reconfig_options both_bulk;
  both_bulk.members = "server.1=a:1:2;3";
  both_bulk.file = "server.1=a:1:2;3\n";
  CHECK_THAT(refusal(both_bulk), Catch::Contains("--file and --members"));
  reconfig_options empty_file;
  empty_file.file = "tickTime=2000\n";
  CHECK_THAT(refusal(empty_file), Catch::Contains("no server.N"));
}

TEST_CASE("server_lines keeps nothing from a file without servers", "[cli][reconfig]") {
  CHECK(server_lines("") == "");
  CHECK(server_lines("dataDir=/x\nserverCnxnFactory=y\nserver.1\n") == "");
}
