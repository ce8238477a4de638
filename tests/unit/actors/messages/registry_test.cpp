// The wire types' layout against the peer protocol version (peer_protocol_version.hpp): a
// change to a message between servers that is not matched by a new version would let two
// builds that cannot understand each other link up, and fail only as messages that do not
// deserialize. The fingerprint of each version is recorded here.
//
// When this test fails because you changed a wire type: bump peer_protocol_version, then add
// an entry for the new version below with the fingerprint the failure prints (between the
// R"( and )" of a raw string). Never edit an entry already recorded: it is what that version
// speaks.
#include "actors/messages/peer_protocol_version.hpp"
#include "actors/messages/registry.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <string>

using namespace paddock::actors;

namespace {

// peer protocol version -> wire_layout_fingerprint() of the builds that speak it.
const std::map<int, std::string> recorded_fingerprints = {
    {1, R"(paddock::forward_read 8
paddock::forward_sync 8
paddock::forward_writes 1
paddock::read_index_ack 16
paddock::session_touches 1
paddock::snap_ack 24
paddock::snap_chunk 38
paddock::sync_ack 8
paddock::tree_digest_report 1
zab::ack 8
zab::ack_epoch 16
zab::commit 8
zab::ensemble (one member) 19
zab::inform 1
zab::leader_info 8
zab::learner_info 18
zab::new_leader 18
zab::notification 43
zab::ping 8
zab::proposal 1
zab::read_round 8
zab::sync_diff 8
zab::sync_snap 16
zab::sync_trunc 8
zab::txn 10
zab::up_to_date 10
zab::vote 24
atom zabwire
atom linkreset
atom qauthlrn
atom qauthsrv
)"},
};

} // namespace

TEST_CASE("the wire types' layout is the one recorded for this peer protocol version",
          "[peer_protocol]") {
  const std::string now = wire_layout_fingerprint();
  INFO("the wire types' layout now (see the top of this file):\n" << now);
  REQUIRE(recorded_fingerprints.rbegin()->first == peer_protocol_version);
  CHECK(recorded_fingerprints.at(peer_protocol_version) == now);
}

TEST_CASE("every registered wire type is in the fingerprint", "[peer_protocol]") {
  const std::string now = wire_layout_fingerprint();
  for (const char* name :
       {"zab::txn", "zab::notification", "zab::proposal", "zab::read_round", "paddock::snap_chunk",
        "paddock::snap_ack", "paddock::forward_writes", "paddock::read_index_ack"})
    CHECK_THAT(now, Catch::Contains(std::string(name) + " "));
  CHECK_THAT(now, !Catch::Contains("std::vector<"));
  CHECK_THAT(now, !Catch::Contains("stream<"));
  CHECK_THAT(now, !Catch::Contains("settings")); // CAF's own, registered by every config
}
