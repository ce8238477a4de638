// zkCli's line splitting (ZooKeeperMain.ARGS_PATTERN) and commons-cli's option parsing.
#include "tools/cli/command_line.hpp"

#include <catch2/catch.hpp>

using namespace paddock::cli;
using words = std::vector<std::string>;

TEST_CASE("a line splits on blanks, quotes keep blanks and go", "[cli]") {
  CHECK(split_line("  ls   -s /a  ") == words{"ls", "-s", "/a"});
  CHECK(split_line("create /a \"hello world\"") == words{"create", "/a", "hello world"});
  CHECK(split_line("set /a 'it is' x") == words{"set", "/a", "it is", "x"});
  CHECK(split_line("set /a \"\"") == words{"set", "/a", ""});
  CHECK(split_line("set /a \"open") == words{"set", "/a", "open"}); // unclosed: quote skipped
  CHECK(split_line("set /a b\"c d\"") == words{"set", "/a", "b\"c", "d\""});
  CHECK(split_line("   ").empty());
}

TEST_CASE("options anywhere, values separate or attached, flags together", "[cli]") {
  std::vector<option_spec> opts{{"s"}, {"w"}, {"v", true}, {"add", true}, {"t", true, {"ttl"}}};
  auto parsed = std::get<parsed_command>(
      parse_command({"set", "/a", "-v", "3", "data", "-s", "--add", "x", "-t9"}, opts));
  CHECK(parsed.args == words{"set", "/a", "data"});
  CHECK(parsed.value("v") == "3");
  CHECK(parsed.has("s"));
  CHECK(!parsed.has("w"));
  CHECK(parsed.value("add") == "x");
  CHECK(parsed.value("t") == "9");
  auto together = std::get<parsed_command>(parse_command({"ls", "-sw", "/"}, opts));
  CHECK(together.has("s"));
  CHECK(together.has("w"));
  auto alias = std::get<parsed_command>(parse_command({"c", "--ttl=5", "-add", "y"}, opts));
  CHECK(alias.value("t") == "5");
  CHECK(alias.value("add") == "y");
}

TEST_CASE("negative numbers are arguments, -- ends options", "[cli]") {
  std::vector<option_spec> opts{{"v", true}};
  auto parsed = std::get<parsed_command>(parse_command({"set", "/a", "-1", "-v", "-1"}, opts));
  CHECK(parsed.args == words{"set", "/a", "-1"});
  CHECK(parsed.value("v") == "-1");
  auto rest = std::get<parsed_command>(parse_command({"create", "/a", "--", "-v"}, opts));
  CHECK(rest.args == words{"create", "/a", "-v"});
}

TEST_CASE("unknown options and missing values are commons-cli's errors", "[cli]") {
  std::vector<option_spec> opts{{"s"}, {"v", true}};
  CHECK(std::get<std::string>(parse_command({"ls", "-x", "/"}, opts)) ==
        "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x");
  CHECK(std::get<std::string>(parse_command({"delete", "/a", "-v"}, opts)) ==
        "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v");
}
