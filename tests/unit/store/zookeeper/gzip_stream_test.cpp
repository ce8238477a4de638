// gzip as ZooKeeper's GZIPInputStream reads it: what zlib compresses inflates back, several
// members concatenated read as one stream, bytes after the last member are ignored; input
// cut at any offset, damaged (a flipped byte fails the CRC-32 or the inflate), or inflating
// past the caller's bound is refused with a message, never a crash.
#include "compressors.hpp"
#include "store/zookeeper/gzip_stream.hpp"

#include <catch2/catch.hpp>

using namespace paddock::store::zookeeper;
namespace zkf = paddock::testing::zk;

TEST_CASE("gunzip: a zlib gzip stream inflates back to its input") {
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{300000}}) {
    const auto text = zkf::mixed_bytes(n);
    for (int level : {0, 1, 9}) {
      std::string out, error;
      INFO("size " << n << ", level " << level);
      REQUIRE(gunzip(zkf::gzip_compress(text, level), out, error));
      CHECK(out == text);
    }
  }
}

TEST_CASE("gunzip: concatenated members are one stream, trailing bytes are ignored") {
  const auto a = zkf::mixed_bytes(5000), b = std::string(7000, 'b');
  std::string out, error;
  REQUIRE(gunzip(zkf::gzip_compress(a) + zkf::gzip_compress(b), out, error));
  CHECK(out == a + b);
  // GZIPInputStream ignores what follows a member when it is not another member.
  REQUIRE(gunzip(zkf::gzip_compress(a) + std::string(5, '\0') + "junk", out, error));
  CHECK(out == a);
}

TEST_CASE("gunzip: input cut at any offset is refused") {
  const auto text = zkf::mixed_bytes(20000);
  const auto gz = zkf::gzip_compress(text);
  for (size_t len = 0; len < gz.size(); ++len) {
    std::string out = "untouched", error;
    INFO("cut at " << len << " of " << gz.size());
    CHECK_FALSE(gunzip(std::string_view(gz).substr(0, len), out, error));
    CHECK_FALSE(error.empty());
    CHECK(out == "untouched");
  }
  std::string out, error;
  CHECK_FALSE(gunzip(gz.substr(0, gz.size() / 2), out, error));
  CHECK(error.find("truncated") != std::string::npos);
}

TEST_CASE("gunzip: a flipped byte anywhere is refused or inflates to the same bytes") {
  // Header fields zlib does not check (mtime, xfl, os) may change without harm, and so may a
  // few bits of the deflate data that decode the same (a code length of an unused symbol);
  // everything else fails the header check, the inflate, or the CRC-32 / length trailer, so
  // what inflates is always the text.
  const auto text = zkf::mixed_bytes(6000); // repeats, then noise
  const auto gz = zkf::gzip_compress(text);
  size_t refused = 0;
  for (size_t at = 0; at < gz.size(); ++at) {
    auto bad = gz;
    bad[at] ^= 0x20;
    std::string out, error;
    INFO("flipped at " << at);
    if (gunzip(bad, out, error)) {
      CHECK(out == text);
    } else {
      CHECK_FALSE(error.empty());
      ++refused;
    }
  }
  CHECK(refused >= gz.size() * 9 / 10);
}

TEST_CASE("gunzip: not gzip, and output past the bound, are refused") {
  std::string out, error;
  CHECK_FALSE(gunzip("", out, error));
  CHECK(error.find("empty") != std::string::npos);
  CHECK_FALSE(gunzip("ZKSN\0\0\0\2", out, error));
  CHECK(error.find("not gzip") != std::string::npos);
  const auto zeros = zkf::gzip_compress(std::string(1 << 20, '\0'));
  CHECK_FALSE(gunzip(zeros, out, error, 1000));
  CHECK(error.find("more than 1000 bytes") != std::string::npos);
  REQUIRE(gunzip(zeros, out, error, 1 << 20)); // exactly the bound is fine
  CHECK(out.size() == 1 << 20);
}
