#include "protocol/bytes/byte_order.hpp"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

using namespace paddock::bytes;

TEST_CASE("byte order: big-endian puts the most significant byte first, as Java's DataOutput") {
  char b[8];
  store_be32(b, 0x01020304U);
  CHECK(std::string(b, 4) == std::string("\x01\x02\x03\x04", 4));
  CHECK(load_be32(b) == 0x01020304U);
  store_be64(b, 0x0102030405060708ULL);
  CHECK(std::string(b, 8) == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  CHECK(load_be64(b) == 0x0102030405060708ULL);
}

TEST_CASE("byte order: little-endian puts the least significant byte first") {
  char b[8];
  store_le32(b, 0x01020304U);
  CHECK(std::string(b, 4) == std::string("\x04\x03\x02\x01", 4));
  CHECK(load_le32(b) == 0x01020304U);
  store_le64(b, 0x0102030405060708ULL);
  CHECK(std::string(b, 8) == std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  CHECK(load_le64(b) == 0x0102030405060708ULL);
}

TEST_CASE("byte order: bytes with the high bit set and negative values survive a round trip") {
  char b[8];
  std::memcpy(b, "\xff\xfe\x80\x7f\x00\x81\xc0\x01", 8);
  CHECK(load_be32(b) == 0xfffe807fU);
  CHECK(load_le32(b) == 0x7f80feffU);
  for (const int64_t v : {int64_t{-1}, int64_t{-2}, INT64_MIN, INT64_MAX, int64_t{0x100000001}}) {
    store_be64(b, static_cast<uint64_t>(v));
    CHECK(static_cast<int64_t>(load_be64(b)) == v);
    store_le64(b, static_cast<uint64_t>(v));
    CHECK(static_cast<int64_t>(load_le64(b)) == v);
  }
  for (const int32_t v : {-1, INT32_MIN, INT32_MAX, 0x7f}) {
    store_be32(b, static_cast<uint32_t>(v));
    CHECK(static_cast<int32_t>(load_be32(b)) == v);
    store_le32(b, static_cast<uint32_t>(v));
    CHECK(static_cast<int32_t>(load_le32(b)) == v);
  }
}
