#pragma once
// What a message kept back behind a SNAP stream (actors/peer_links.cpp, "SNAP streams")
// costs the leader, in bytes, so that what is held is bounded in bytes
// (snap_held_bytes_limit): a count of messages bounds nothing, a proposal being a batch of
// any number of txns. A message is charged a fixed amount (its place in the queue) plus what
// it carries: each txn's payload and a fixed amount per txn; a configuration's text and a
// fixed amount per member; a forwarded write's bytes; a digest report's or a session list's
// entries. Fixed-size messages (commit, ack, ping, ...) cost the fixed amount alone, so a
// flood of them is bounded too.
// An estimate from above of the memory a held message keeps alive, not an exact count (the
// allocator's rounding and a vector's spare capacity are not seen). A txn's payload is shared
// with the leader's history (zab::shared_bytes) and is charged in full all the same: held, it
// outlives the history's reference.
#include "actors/messages/ensemble_wire.hpp"
#include "actors/messages/registry.hpp"
#include "protocol/zab/messages.hpp"

#include <cstdint>
#include <variant>

namespace paddock::actors {

// Per message: the queue's slot (a variant able to hold any message, and its link
// generation), rounded up; held_size.cpp checks that it covers the slot.
inline constexpr uint64_t held_message_bytes = 256;
// Per txn besides its payload (and per forwarded write besides its bytes): the txn value in
// its batch's vector, the payload's shared control block and string header.
inline constexpr uint64_t held_txn_bytes = 192;
// Per member of a configuration a message carries (a node of its std::map).
inline constexpr uint64_t held_member_bytes = 64;
// Per entry of a digest report (zxid, digest) and per session id of session_touches.
inline constexpr uint64_t held_digest_entry_bytes = 16;
inline constexpr uint64_t held_session_id_bytes = 8;

uint64_t held_size(const zab::message& m);
uint64_t held_size(const app_message& m);
uint64_t held_size(const std::variant<zab::message, app_message>& m);

} // namespace paddock::actors
