#include "protocol/tls/peer_greeting.hpp"

namespace paddock::tls {

namespace {

constexpr uint8_t handshake_content_type = 0x16;
constexpr uint8_t tls_major_version = 0x03;
// SSL 3.0 (0) to TLS 1.3 records (which still say 3.3, or 3.1 in a ClientHello).
constexpr uint8_t highest_minor_version = 0x04;
// A TLS record's payload is at most 2^14 bytes, plus 2048 of expansion (RFC 8446 5.2).
constexpr unsigned max_record_length = (1u << 14) + 2048;

} // namespace

peer_greeting classify_greeting(std::string_view first) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(first[i]); };
  const size_t n = first.size();
  if (n >= 1 && byte(0) != handshake_content_type) return peer_greeting::plaintext;
  if (n >= 2 && byte(1) != tls_major_version) return peer_greeting::plaintext;
  if (n >= 3 && byte(2) > highest_minor_version) return peer_greeting::plaintext;
  if (n < tls_record_header_size) return peer_greeting::undecided;
  const unsigned length = (unsigned{byte(3)} << 8) | byte(4);
  if (length == 0 || length > max_record_length) return peer_greeting::plaintext;
  return peer_greeting::tls;
}

greeting_step next_greeting_step(std::string_view first, bool peer_closed, int64_t now_us,
                                 int64_t deadline_us) {
  switch (classify_greeting(first)) {
  case peer_greeting::tls: return greeting_step::forward_tls;
  case peer_greeting::plaintext: return greeting_step::forward_plaintext;
  case peer_greeting::undecided: break;
  }
  if (peer_closed) return greeting_step::close_closed;
  if (now_us >= deadline_us) return greeting_step::close_silent;
  return greeting_step::wait;
}

} // namespace paddock::tls
