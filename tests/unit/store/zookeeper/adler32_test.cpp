// Adler-32 as java.util.zip.Adler32 computes it, in one call or in pieces.
#include "store/zookeeper/adler32.hpp"
#include "store/zookeeper/zk_session_password.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace paddock::store::zookeeper;

TEST_CASE("adler32: known values, and the same in pieces") {
  CHECK(adler32_of("") == 1u);
  CHECK(adler32_of("Wikipedia") == 0x11E60398u);
  // Long enough for the modulo to matter many times over.
  std::string big(100000, '\xff');
  adler32 pieces;
  for (size_t at = 0; at < big.size(); at += 777)
    pieces.update(std::string_view(big).substr(at, 777));
  CHECK(pieces.value() == adler32_of(big));
}

TEST_CASE("zk_session_password: java.util.Random seeded with id ^ 0xB3415C00") {
  // id 0xB3415C00 seeds Random(0), whose first two nextInt() are -1155484576 (0xBB20B460)
  // and -723955400 (0xD4D95138); nextBytes takes each int's bytes low first.
  auto p = zk_session_password(0xB3415C00);
  REQUIRE(p.size() == 16);
  CHECK(p.substr(0, 8) == std::string("\x60\xB4\x20\xBB\x38\x51\xD9\xD4", 8));
  CHECK(zk_session_password(0x100000000000001) != zk_session_password(0x100000000000002));
}
