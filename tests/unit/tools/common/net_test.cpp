// paddock-cli's and paddock-bench's --server parsing: one endpoint or an ensemble's list.
#include "tools/common/net.hpp"

#include <catch2/catch.hpp>

using paddock::tools::parse_endpoint_list;
using paddock::tools::to_string;

TEST_CASE("a list of endpoints keeps its order: each item parses as parse_endpoint does",
          "[tools][endpoint]") {
  auto one = parse_endpoint_list("127.0.0.1:2181");
  REQUIRE(one);
  REQUIRE(one->size() == 1);
  CHECK(to_string(one->front()) == "127.0.0.1:2181");

  auto three = parse_endpoint_list("h1:1,[::1]:2,h3");
  REQUIRE(three);
  REQUIRE(three->size() == 3);
  CHECK(to_string((*three)[0]) == "h1:1");
  CHECK((*three)[1].host == "::1");
  CHECK(to_string((*three)[1]) == "[::1]:2");
  CHECK(to_string((*three)[2]) == "h3:2181"); // ZooKeeper's default port
}

TEST_CASE("a list with an empty or bad item is refused as a whole", "[tools][endpoint]") {
  for (const char* bad : {"", ",", "h1:1,", ",h1:1", "h1:1,,h2:2", "h1:1,h2:0", "h1:x"})
    CHECK_FALSE(parse_endpoint_list(bad));
}
