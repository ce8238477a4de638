// snappy-java's stream format: a stream snappy-java itself wrote reads back to its text
// (three 1 KiB blocks and a second stream appended); what libsnappy compresses, framed as
// SnappyOutputStream frames it, reads back; a cut at any offset, a bad header, a bad block
// length, a damaged block or output past the bound is refused with a message.
#include "compressors.hpp"
#include "snappy_java_fixture.hpp"
#include "store/zookeeper/snappy_stream.hpp"

#include <catch2/catch.hpp>

using namespace paddock::store::zookeeper;
namespace zkf = paddock::testing::zk;

TEST_CASE("unsnappy_java: a stream snappy-java wrote reads back to its text") {
  std::string out, error;
  REQUIRE(unsnappy_java(zkf::snappy_java_fixture(), out, error));
  CHECK(out == zkf::snappy_java_fixture_text());
}

TEST_CASE("unsnappy_java: libsnappy blocks in snappy-java's framing read back") {
  for (size_t n : {size_t{0}, size_t{1}, size_t{32 * 1024}, size_t{200001}}) {
    const auto text = zkf::mixed_bytes(n);
    std::string out, error;
    INFO("size " << n);
    REQUIRE(unsnappy_java(zkf::snappy_java_compress(text), out, error));
    CHECK(out == text);
  }
  // Two streams appended: the second header stands where a block length would.
  std::string out, error;
  REQUIRE(unsnappy_java(zkf::snappy_java_compress("first ") + zkf::snappy_java_compress("second"),
                        out, error));
  CHECK(out == "first second");
}

TEST_CASE("unsnappy_java: a stream cut at any offset is refused") {
  const auto text = zkf::mixed_bytes(5000);
  const auto stream = zkf::snappy_java_compress(text, 1024);
  // Cutting exactly between blocks leaves a whole, shorter stream: nothing in the framing
  // says more was coming (the snapshot's own seal catches that cut).
  std::vector<size_t> boundaries{16};
  for (size_t at = 16; at < stream.size();) {
    uint32_t len = 0;
    for (int i = 0; i < 4; ++i)
      len = (len << 8) | static_cast<unsigned char>(stream[at + i]);
    at += 4 + len;
    boundaries.push_back(at);
  }
  for (size_t len = 0; len < stream.size(); ++len) {
    std::string out = "untouched", error;
    INFO("cut at " << len << " of " << stream.size());
    const bool at_boundary =
        std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
    if (at_boundary) {
      REQUIRE(unsnappy_java(std::string_view(stream).substr(0, len), out, error));
      CHECK(text.substr(0, out.size()) == out);
    } else {
      CHECK_FALSE(unsnappy_java(std::string_view(stream).substr(0, len), out, error));
      CHECK_FALSE(error.empty());
      CHECK(out == "untouched");
    }
  }
}

TEST_CASE("unsnappy_java: a bad header, block length or block is refused") {
  const auto good = zkf::snappy_java_compress(zkf::mixed_bytes(3000));
  std::string out, error;
  SECTION("no header: a raw snappy block, which ZooKeeper does not read as a snapshot") {
    std::string raw;
    snappy::Compress("abc", 3, &raw);
    CHECK_FALSE(unsnappy_java(raw, out, error));
    CHECK(error.find("no snappy-java stream header") != std::string::npos);
    CHECK_FALSE(unsnappy_java("", out, error));
    CHECK(error.find("empty") != std::string::npos);
  }
  SECTION("version 0") {
    auto bad = zkf::snappy_java_header(0) + good.substr(16);
    CHECK_FALSE(unsnappy_java(bad, out, error));
    CHECK(error.find("version 0") != std::string::npos);
  }
  SECTION("a negative, zero or oversized block length") {
    for (uint32_t len : {0x80000001u, 0u, 0x7fffffffu}) {
      auto bad = good;
      std::string field;
      zkf::put_be32(field, len);
      bad.replace(16, 4, field);
      INFO("length " << len);
      CHECK_FALSE(unsnappy_java(bad, out, error));
      CHECK(error.find("block 1 at offset 16") != std::string::npos);
    }
  }
  SECTION("a second header with a bad magic") {
    auto bad = good + zkf::snappy_java_header();
    bad[bad.size() - 12] = 'X';
    CHECK_FALSE(unsnappy_java(bad, out, error));
    CHECK(error.find("no snappy-java stream header at offset") != std::string::npos);
  }
  SECTION("a flipped byte inside a block is refused or decompresses to as many bytes") {
    // Raw snappy has no checksum: a flipped literal byte decompresses to a different byte,
    // which the snapshot's Adler-32 seal then refuses. Every flip here is either refused or
    // gives the same length: never a crash or a read out of bounds (ASan builds check that).
    const auto text = zkf::mixed_bytes(3000);
    const auto stream = zkf::snappy_java_compress(text);
    size_t refused = 0;
    for (size_t at = 20; at < stream.size(); ++at) {
      auto bad = stream;
      bad[at] ^= 0x41;
      if (unsnappy_java(bad, out, error))
        CHECK(out.size() == text.size());
      else
        ++refused;
    }
    CHECK(refused > 0);
  }
  SECTION("more than the bound") {
    const auto zeros = zkf::snappy_java_compress(std::string(100000, '\0'));
    CHECK_FALSE(unsnappy_java(zeros, out, error, 99999));
    CHECK(error.find("more than 99999 bytes") != std::string::npos);
    REQUIRE(unsnappy_java(zeros, out, error, 100000));
  }
}
