#pragma once
// The peer protocol version: which layouts of the messages between servers this build speaks.
// Servers exchange CAF's binary serialization of fixed layouts (ensemble_wire.hpp, ZAB's
// messages in protocol/zab/messages.hpp, all registered in registry.cpp), so two builds whose
// layouts differ cannot understand each other. Each server advertises this number when it
// publishes its peer_links, and a server uses a link only to a peer that advertises the same
// (peer_protocol_check.hpp; docs/operator-guide.md, "Upgrades and the on-disk format").
//
// Bump it whenever a message in ensemble_wire.hpp, protocol/zab/messages.hpp or the registry
// changes shape (a field added, removed, retyped or reordered, a type registered or renamed),
// or the atoms and arguments of a message between servers change. The unit test
// tests/unit/actors/messages/registry_test.cpp fails when the registered types' layout
// fingerprint changes and this number does not; it says how to record the new fingerprint.
//
// History: 1, the first build that advertises a version (streamed SNAP, tree digests,
// linearizable reads' messages).

namespace paddock::actors {

inline constexpr int peer_protocol_version = 1;

} // namespace paddock::actors
