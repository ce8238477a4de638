#pragma once
// portUnification: one peer port for TLS and plaintext servers, as during a rolling upgrade
// from a plaintext ensemble to sslQuorum. The port tells the two apart by the first bytes a
// connecting server sends: a TLS client opens with a ClientHello, whose record header is the
// handshake content type 0x16 and a 3.x version, then the record's length; a plaintext peer
// (CAF's BASP) opens with its client handshake, whose first byte is a message type (0x01).
// Both kinds speak first, so a connection that stays silent is neither and is closed after
// ssl.quorum.handshakeDetectionTimeoutMillis.
#include <cstdint>
#include <string_view>

namespace paddock::tls {

// What the first bytes received say so far.
enum class peer_greeting {
  undecided, // fewer bytes than it takes, and all of them fit a TLS record header
  tls,       // a complete TLS handshake record header
  plaintext, // a byte no TLS record header can have
};

// The bytes a TLS record header takes: type, version (2), length (2).
inline constexpr size_t tls_record_header_size = 5;

// Classifies `first` (everything the connection sent so far, or a prefix of it).
peer_greeting classify_greeting(std::string_view first);

// What the port does with a connection that has not been forwarded yet.
enum class greeting_step {
  wait,              // undecided: read more
  forward_tls,       // to the TLS endpoint, the bytes untouched
  forward_plaintext, // to the plaintext endpoint, the bytes untouched
  close_silent,      // undecided at the deadline
  close_closed,      // the peer closed (or reset) the connection before it was decided
};

// The detection rule: the bytes decide as soon as they can; a connection still undecided
// when the peer closes it, or at `deadline_us`, is closed.
greeting_step next_greeting_step(std::string_view first, bool peer_closed, int64_t now_us,
                                 int64_t deadline_us);

} // namespace paddock::tls
