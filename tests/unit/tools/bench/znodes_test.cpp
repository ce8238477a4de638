// The znodes both bench clients make: names that sort, never collide, and fan out.
#include "tools/bench/znodes.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace paddock::bench;

TEST_CASE("keys and created nodes sit under the root with fixed-width names", "[bench][znodes]") {
  options opt;
  opt.root = "/r";
  CHECK(key_path(opt, 42) == "/r/k0000000042");
  CHECK(created_path(opt, 0x1234, 7) == "/r/c-0000000000001234-7");
  CHECK(key_path(opt, 9) < key_path(opt, 10)); // zero-padded: they sort as numbers
}

TEST_CASE("values have the size asked for and are not all one byte", "[bench][znodes]") {
  CHECK(make_value(0).empty());
  auto v = make_value(100);
  REQUIRE(v.size() == 100);
  CHECK(v.find_first_not_of(v[0]) != std::string::npos);
}

TEST_CASE("the preloaded tree puts 1,000 znodes in each group", "[bench][znodes]") {
  options opt;
  opt.root = "/p";
  CHECK(preload_group_count(0) == 0);
  CHECK(preload_group_count(1) == 1);
  CHECK(preload_group_count(1000) == 1);
  CHECK(preload_group_count(1001) == 2);
  CHECK(preload_group_count(1000000) == 1000);
  CHECK(preload_znode_path(opt, 0) == "/p/g0000/z0000000");
  CHECK(preload_znode_path(opt, 999) == "/p/g0000/z0000999");
  CHECK(preload_znode_path(opt, 1000) == "/p/g0001/z0001000");
  CHECK(preload_znode_path(opt, 999999) == "/p/g0999/z0999999");
  // Every znode's parent is one of the groups created before it.
  std::set<std::string> groups;
  for (uint64_t g = 0; g < preload_group_count(5500); ++g)
    groups.insert(preload_group_path(opt, g));
  for (uint64_t z = 0; z < 5500; ++z) {
    auto path = preload_znode_path(opt, z);
    CHECK(groups.count(path.substr(0, path.rfind('/'))) == 1);
  }
}
