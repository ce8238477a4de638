// The AdminServer's JSON, printed as ZooKeeper's Jackson pretty printer prints it (the layouts
// below are copied from Debian's ZooKeeper 3.8 AdminServer answers).
#include "protocol/admin/json.hpp"

#include <catch2/catch.hpp>

using paddock::admin::java_double;
using paddock::admin::json;
using paddock::admin::json_quote;

TEST_CASE("objects: one member a line, two spaces a level, no trailing newline") {
  json o = json::empty_object();
  o.add("command", "ruok").add("error", json());
  CHECK(o.pretty() == "{\n  \"command\" : \"ruok\",\n  \"error\" : null\n}");
}

TEST_CASE("arrays stay on one line, objects inside them open on the array's line") {
  json conn = json::empty_object();
  conn.add("remote_socket_address", "127.0.0.1:40938").add("packets_sent", int64_t{5});
  json o = json::empty_object();
  o.add("connections", json(json::array{conn}))
      .add("secure_connections", json::empty_array())
      .add("ids", json(json::array{int64_t{1}, int64_t{72058278953025537}}))
      .add("view", json::empty_object());
  CHECK(o.pretty() == "{\n"
                      "  \"connections\" : [ {\n"
                      "    \"remote_socket_address\" : \"127.0.0.1:40938\",\n"
                      "    \"packets_sent\" : 5\n"
                      "  } ],\n"
                      "  \"secure_connections\" : [ ],\n"
                      "  \"ids\" : [ 1, 72058278953025537 ],\n"
                      "  \"view\" : { }\n"
                      "}");
}

TEST_CASE("nested objects indent one level deeper") {
  json inner = json::empty_object();
  inner.add("packets_sent", int64_t{0}).add("avg_latency", 2.125);
  json o = json::empty_object();
  o.add("read_only", false).add("server_stats", inner);
  CHECK(o.pretty() == "{\n  \"read_only\" : false,\n  \"server_stats\" : {\n"
                      "    \"packets_sent\" : 0,\n    \"avg_latency\" : 2.125\n  }\n}");
}

TEST_CASE("doubles as Java writes them, strings escaped") {
  CHECK(java_double(0.0) == "0.0");
  CHECK(java_double(2.125) == "2.125");
  CHECK(java_double(1.8) == "1.8");
  CHECK(java_double(450) == "450.0");
  CHECK(json_quote("a\"b\\c\nd\te") == "\"a\\\"b\\\\c\\nd\\te\"");
  CHECK(json_quote(std::string(1, '\x01')) == "\"\\u0001\"");
}

TEST_CASE("find looks members up by name") {
  json o = json::empty_object();
  o.add("a", 1).add("b", "x");
  REQUIRE(o.find("b") != nullptr);
  CHECK(o.find("b")->pretty() == "\"x\"");
  CHECK(o.find("c") == nullptr);
  CHECK(json(3).find("a") == nullptr);
}
