// The peer protocol version check's pure parts: the signature a server publishes, reading it
// back from what a peer advertised (including a build from before the check, which
// advertises nothing), the error line, and the test-only override.
#include "actors/messages/peer_protocol_version.hpp"
#include "actors/peer_protocol_check.hpp"

#include <catch2/catch.hpp>

using namespace paddock::actors;

TEST_CASE("a published version is read back as itself", "[peer_protocol]") {
  for (int v : {1, 2, 17, 1000})
    CHECK(advertised_peer_protocol(peer_protocol_signatures(v)) == v);
  CHECK(peer_protocol_signatures(5) == std::set<std::string>{"paddock-peer-protocol-5"});
}

TEST_CASE("a peer that advertises no well-formed version has none", "[peer_protocol]") {
  // A build from before the check publishes its peer_links with no signature at all.
  CHECK_FALSE(advertised_peer_protocol({}).has_value());
  CHECK_FALSE(advertised_peer_protocol({"some-other-interface"}).has_value());
  CHECK_FALSE(advertised_peer_protocol({"paddock-peer-protocol-"}).has_value());
  CHECK_FALSE(advertised_peer_protocol({"paddock-peer-protocol-x"}).has_value());
  CHECK_FALSE(advertised_peer_protocol({"paddock-peer-protocol-3x"}).has_value());
  CHECK_FALSE(advertised_peer_protocol({"paddock-peer-protocol-0"}).has_value());
  CHECK_FALSE(advertised_peer_protocol({"paddock-peer-protocol--2"}).has_value());
  // Other signatures beside it do not hide it.
  CHECK(advertised_peer_protocol({"a", "paddock-peer-protocol-4", "z"}) == 4);
}

TEST_CASE("the mismatch line names the peer, both versions and the way out", "[peer_protocol]") {
  CHECK(peer_protocol_mismatch_message(3, "127.0.0.1", 2888, 4, 5) ==
        "server 3 (127.0.0.1:2888) speaks peer protocol 4, this server 5: they cannot form an "
        "ensemble; upgrade every server with a full stop and start (docs/operator-guide.md, "
        "\"Upgrades and the on-disk format\"); retrying");
  const auto old_build = peer_protocol_mismatch_message(2, "10.0.0.2", 2890, std::nullopt, 1);
  CHECK_THAT(old_build, Catch::StartsWith("server 2 (10.0.0.2:2890) advertises no peer protocol "
                                          "version (a build from before the version check), "
                                          "this server 1: they cannot form an ensemble"));
}

TEST_CASE("only a positive integer overrides the advertised version", "[peer_protocol]") {
  CHECK(advertised_peer_protocol_version(7, nullptr) == 7);
  CHECK(advertised_peer_protocol_version(7, "9") == 9);
  CHECK(advertised_peer_protocol_version(7, "") == 7);
  CHECK(advertised_peer_protocol_version(7, "0") == 7);
  CHECK(advertised_peer_protocol_version(7, "-1") == 7);
  CHECK(advertised_peer_protocol_version(7, "nine") == 7);
  CHECK(advertised_peer_protocol_version(7, "9 ") == 7);
}
