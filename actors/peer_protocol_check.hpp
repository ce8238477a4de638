#pragma once
// The peer protocol version check between servers (messages/peer_protocol_version.hpp).
// A server publishes its peer_links with one interface signature,
// "paddock-peer-protocol-<N>", which CAF's BASP handshake hands to every server that connects
// (the third element of the middleman's connect reply). A server compares it with its own
// before it uses a link it made, and checks a link a peer made to it the same way (by
// connecting to that peer's quorum port): a peer that advertises another version, or none (a
// build from before the check), is never linked to, and is reported with one error line
// while that lasts. Pure functions here; peer_links.cpp acts on them.
#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace paddock::actors {

// The signature set a server with `version` publishes its peer_links with.
std::set<std::string> peer_protocol_signatures(int version);

// The version a peer advertised in its signature set; none for a build from before the check
// (an empty set) or a set without a well-formed "paddock-peer-protocol-<N>".
std::optional<int> advertised_peer_protocol(const std::set<std::string>& signatures);

// The error line for a peer at host:port that advertises `theirs` (none: a build from before
// the check) while this server speaks `ours`.
std::string peer_protocol_mismatch_message(int64_t peer_id, const std::string& host, int port,
                                           std::optional<int> theirs, int ours);

// The environment variable that makes a server advertise another version: for tests only
// (tests/integration/test_peer_protocol_version.py), never a setting.
inline constexpr const char* test_peer_protocol_variable = "PADDOCK_TEST_PEER_PROTOCOL_VERSION";

// The version a server advertises: `compiled` unless `test_override` (the variable's value, or
// null when unset) is a positive integer. A value that is not one is ignored.
int advertised_peer_protocol_version(int compiled, const char* test_override);

// The version this process advertises: peer_protocol_version, or the test override, read once.
int this_server_peer_protocol_version();

} // namespace paddock::actors
