// PathUtils.validatePath as ZooKeeper 3.8 applies it (cases checked against the real server).
#include "store/tree/path.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace paddock::store;

TEST_CASE("valid paths", "[path]") {
  for (std::string p : {"/", "/a", "/a/b", "/a/...", "/a/.b", "/a/b.", "/zookeeper/quota",
                        "/a/\xc3\xa9",     // é
                        "/a/\xef\xa4\x80", // U+F900, just past the private use area
                        "/a b", "/-", "/a/0000000001"}) {
    INFO(p);
    CHECK(valid_path(p));
  }
}

TEST_CASE("invalid paths", "[path]") {
  for (std::string p : {"",
                        "a",
                        "a/b",
                        "//",
                        "/a/",
                        "/a//b",
                        "/.",
                        "/..",
                        "/a/./b",
                        "/a/../b",
                        "/a/.",
                        "/a/..",
                        "/\x01",
                        "/\x1f",
                        "/\x7f",
                        "/\xc2\x80",         // U+0080
                        "/\xc2\x9f",         // U+009F
                        "/\xee\x80\x80",     // U+E000, private use
                        "/\xef\xbf\xbd",     // U+FFFD
                        "/\xef\xbf\xbf",     // U+FFFF
                        "/\xf0\x9f\x98\x80", // U+1F600: a surrogate pair in Java
                        "/\xff",             // malformed UTF-8 decodes to U+FFFD
                        "/\xc0\xaf",         // overlong '/'
                        "/\xed\xa0\x80",     // an encoded surrogate
                        "/\xe2\x82"}) {      // truncated
    INFO(p);
    CHECK_FALSE(valid_path(p));
  }
  CHECK_FALSE(valid_path(std::string("/a\0b", 4)));
}

TEST_CASE("sequential prefixes validate with a suffix", "[path]") {
  CHECK(valid_sequential_prefix("/a/"));
  CHECK(valid_sequential_prefix("/a/b-"));
  CHECK_FALSE(valid_sequential_prefix("/a//"));
  CHECK_FALSE(valid_sequential_prefix(""));
}

TEST_CASE("parent and base names", "[path]") {
  CHECK(parent_path("/a/b") == "/a");
  CHECK(parent_path("/a") == "/");
  CHECK(parent_path("/") == "");
  CHECK(base_name("/a/b") == "b");
  CHECK(base_name("/a") == "a");
  CHECK(base_name("/") == "");
}

TEST_CASE("utf16 length counts Java chars", "[path]") {
  CHECK(utf16_length("") == 0);
  CHECK(utf16_length("/zookeeper") == 10);
  CHECK(utf16_length("/\xc3\xa9") == 2);
  CHECK(utf16_length("\xf0\x9f\x98\x80") == 2);
}
