// The scale scenario's --hold / --preload spec: what is accepted, and why the rest is not.
#include "tools/bench/preload_spec.hpp"

#include <catch2/catch.hpp>

using paddock::bench::parse_preload_spec;
using paddock::bench::preload_spec;

TEST_CASE("a full preload spec parses, in any order, with k and M suffixes", "[bench][preload]") {
  std::string error;
  auto spec = parse_preload_spec("znodes=1000000,sessions=10000,watches=100000", error);
  REQUIRE(spec);
  CHECK(*spec == preload_spec{1000000, 10000, 100000});
  auto short_form = parse_preload_spec("watches=100k,znodes=1M,sessions=10K", error);
  REQUIRE(short_form);
  CHECK(*short_form == *spec);
  CHECK(to_string(*spec) == "znodes=1000000,sessions=10000,watches=100000");
  auto again = parse_preload_spec(to_string(*spec), error);
  REQUIRE(again);
  CHECK(*again == *spec);
}

TEST_CASE("a preload spec may leave parts out", "[bench][preload]") {
  std::string error;
  auto only_tree = parse_preload_spec("znodes=500", error);
  REQUIRE(only_tree);
  CHECK(*only_tree == preload_spec{500, 0, 0});
  auto only_sessions = parse_preload_spec("sessions=20", error);
  REQUIRE(only_sessions);
  CHECK(*only_sessions == preload_spec{0, 20, 0});
}

TEST_CASE("bad preload specs are refused with a reason", "[bench][preload]") {
  for (const char* bad :
       {"", "znodes", "znodes=", "znodes=x", "znodes=-1", "znodes=1G", "nodes=5",
        "znodes=1,znodes=2", "znodes=10,watches=5", "znodes=10,sessions=1,watches=11",
        "znodes=1,,sessions=1", "znodes=99999999999999999999"}) {
    std::string error;
    INFO(bad);
    CHECK_FALSE(parse_preload_spec(bad, error));
    CHECK_FALSE(error.empty());
  }
}
