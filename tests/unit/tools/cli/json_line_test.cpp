// --json's one object per line.
#include "tools/cli/json_line.hpp"

#include <catch2/catch.hpp>

using namespace paddock::cli;

TEST_CASE("members keep their order, strings are escaped", "[cli]") {
  json_object o;
  o.add("command", "get").add("ok", true).add("version", int64_t{-1});
  o.add("data", std::string_view("a\"b\\c\n\x01", 7));
  o.add_raw("children", json_strings({"x", "y"}));
  CHECK(o.render() == "{\"command\":\"get\",\"ok\":true,\"version\":-1,"
                      "\"data\":\"a\\\"b\\\\c\\n\\u0001\",\"children\":[\"x\",\"y\"]}");
  CHECK(json_object().render() == "{}");
}

TEST_CASE("a Stat has zkCli's field names", "[cli]") {
  paddock::jute::stat s;
  s.czxid = 5;
  s.num_children = 2;
  auto text = json_stat(s);
  CHECK(text.starts_with("{\"cZxid\":5,\"ctime\":0,"));
  CHECK(text.ends_with("\"numChildren\":2}"));
}
