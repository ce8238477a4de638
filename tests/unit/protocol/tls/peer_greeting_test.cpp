// portUnification's first-bytes rule: a TLS ClientHello from a plaintext peer (CAF's BASP),
// and what happens to a connection that stays undecided.
#include "protocol/tls/peer_greeting.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace paddock::tls;

namespace {

std::string bytes(std::initializer_list<int> xs) {
  std::string s;
  for (int x : xs)
    s.push_back(static_cast<char>(x));
  return s;
}

// The record header of a real ClientHello (TLS 1.2 and 1.3 clients say 3.1 in it).
const std::string client_hello_header = bytes({0x16, 0x03, 0x01, 0x02, 0x00});

} // namespace

TEST_CASE("a ClientHello's record header is TLS, every shorter prefix of it undecided",
          "[tls][peer_greeting]") {
  CHECK(classify_greeting(client_hello_header) == peer_greeting::tls);
  CHECK(classify_greeting(client_hello_header + "rest of the hello") == peer_greeting::tls);
  for (size_t n = 0; n < tls_record_header_size; ++n)
    CHECK(classify_greeting(client_hello_header.substr(0, n)) == peer_greeting::undecided);
  // Versions 3.0 to 3.4 in the record header.
  for (int minor = 0; minor <= 4; ++minor)
    CHECK(classify_greeting(bytes({0x16, 0x03, minor, 0x00, 0x30})) == peer_greeting::tls);
}

TEST_CASE("a BASP client handshake is plaintext from its first byte", "[tls][peer_greeting]") {
  // BASP's header starts with the message type: 0x01 is the client handshake.
  CHECK(classify_greeting(bytes({0x01})) == peer_greeting::plaintext);
  CHECK(classify_greeting(bytes({0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20})) ==
        peer_greeting::plaintext);
  // Other first bytes: a four-letter word, an HTTP request, a zero.
  for (const char* s : {"ruok", "GET / HTTP/1.1\r\n", "\0\0\0\0\0"})
    CHECK(classify_greeting(std::string(s, 5)) == peer_greeting::plaintext);
}

TEST_CASE("a byte no TLS record header has decides plaintext before five bytes",
          "[tls][peer_greeting]") {
  CHECK(classify_greeting(bytes({0x16, 0x02})) == peer_greeting::plaintext);       // major version
  CHECK(classify_greeting(bytes({0x16, 0x03, 0x05})) == peer_greeting::plaintext); // minor
  // Other record types (alert, application data) are not how a client opens.
  CHECK(classify_greeting(bytes({0x15, 0x03, 0x03, 0x00, 0x02})) == peer_greeting::plaintext);
  CHECK(classify_greeting(bytes({0x17, 0x03, 0x03, 0x00, 0x10})) == peer_greeting::plaintext);
}

TEST_CASE("a record length of zero or beyond TLS's limit is plaintext", "[tls][peer_greeting]") {
  CHECK(classify_greeting(bytes({0x16, 0x03, 0x01, 0x00, 0x00})) == peer_greeting::plaintext);
  // 2^14 + 2048 = 18432 = 0x4800 is the largest a record may be.
  CHECK(classify_greeting(bytes({0x16, 0x03, 0x01, 0x48, 0x00})) == peer_greeting::tls);
  CHECK(classify_greeting(bytes({0x16, 0x03, 0x01, 0x48, 0x01})) == peer_greeting::plaintext);
}

TEST_CASE("the bytes decide as soon as they can, whatever the clock or the peer did",
          "[tls][peer_greeting]") {
  const int64_t deadline = 5'000'000;
  CHECK(next_greeting_step(client_hello_header, false, 0, deadline) == greeting_step::forward_tls);
  CHECK(next_greeting_step(client_hello_header, true, deadline + 1, deadline) ==
        greeting_step::forward_tls);
  CHECK(next_greeting_step(bytes({0x01}), false, 0, deadline) == greeting_step::forward_plaintext);
  // A plaintext peer that sent its bytes and closed: the bytes still go through.
  CHECK(next_greeting_step(bytes({0x01}), true, deadline, deadline) ==
        greeting_step::forward_plaintext);
}

TEST_CASE("an undecided connection waits until the deadline, then is closed",
          "[tls][peer_greeting]") {
  const int64_t deadline = 5'000'000;
  for (const auto& first : {std::string(), client_hello_header.substr(0, 3)}) {
    CHECK(next_greeting_step(first, false, 0, deadline) == greeting_step::wait);
    CHECK(next_greeting_step(first, false, deadline - 1, deadline) == greeting_step::wait);
    CHECK(next_greeting_step(first, false, deadline, deadline) == greeting_step::close_silent);
    CHECK(next_greeting_step(first, true, 0, deadline) == greeting_step::close_closed);
  }
}
