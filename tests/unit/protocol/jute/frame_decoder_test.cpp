// Length-prefixed framing: frames split anywhere, several per read, and the size limit.
#include "protocol/jute/frame_decoder.hpp"

#include <catch2/catch.hpp>

using paddock::jute::default_max_buffer;
using paddock::jute::frame_decoder;

namespace {
std::string framed(const std::string& body) {
  auto n = static_cast<uint32_t>(body.size());
  std::string out{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                  static_cast<char>(n)};
  return out + body;
}
} // namespace

TEST_CASE("frames come out whole however the stream is split") {
  const std::string stream = framed("hello") + framed("") + framed(std::string(300, 'x'));
  for (size_t split = 0; split <= stream.size(); ++split) {
    frame_decoder d;
    std::vector<std::string> got;
    std::span<const char> f;
    d.feed(std::string_view(stream).substr(0, split));
    while (d.next(f))
      got.emplace_back(f.data(), f.size());
    d.feed(std::string_view(stream).substr(split));
    while (d.next(f))
      got.emplace_back(f.data(), f.size());
    REQUIRE(got.size() == 3);
    CHECK(got[0] == "hello");
    CHECK(got[1].empty());
    CHECK(got[2] == std::string(300, 'x'));
    CHECK(d.buffered() == 0);
  }
}

TEST_CASE("a length over the limit or negative poisons the decoder") {
  frame_decoder d{100};
  std::span<const char> f;
  d.feed(framed(std::string(100, 'a')));
  CHECK(d.next(f));                           // exactly at the limit
  d.feed(std::string("\x00\x00\x00\x65", 4)); // 101
  CHECK_FALSE(d.next(f));
  CHECK(d.failed());
  CHECK(d.bad_length() == 101);

  frame_decoder n;
  n.feed(std::string("\xff\xff\xff\xfb", 4));
  CHECK_FALSE(n.next(f));
  CHECK(n.failed());
  CHECK(n.bad_length() == -5);
}

// ZooKeeper 3.8 (NIOServerCnxn.readLength: len > jute.maxbuffer closes) serves a frame of
// 0xfffff bytes and closes the connection at 0x100000, with no slack for the header.
TEST_CASE("the default limit is jute.maxbuffer's 0xfffff exactly") {
  std::span<const char> f;
  frame_decoder at_limit;
  at_limit.feed(framed(std::string(0xfffff, 'x')));
  CHECK(at_limit.next(f));
  CHECK(f.size() == 0xfffff);

  frame_decoder over;
  over.feed(std::string("\x00\x10\x00\x00", 4)); // 0x100000: refused on the prefix alone
  CHECK_FALSE(over.next(f));
  CHECK(over.failed());
  CHECK(over.bad_length() == 0x100000);
}

TEST_CASE("the buffer does not grow over many frames") {
  frame_decoder d{default_max_buffer};
  std::span<const char> f;
  for (int i = 0; i < 10000; ++i) {
    d.feed(framed("some request bytes"));
    REQUIRE(d.next(f));
    CHECK(d.buffered() == 0);
  }
}
