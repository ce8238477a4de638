#pragma once
// The messages that cross between servers (BASP, CAF's distributed transport), and how:
// CAF 0.17 serialization (inspect) for each, registered under stable names by
// register_wire_types (actors/messages/registry.hpp) on every server. The names and the
// fields each inspect() lists are the wire format: change them and two builds no longer
// understand each other.
//   peer_links -> peer_links of another server
//     (zab_wire_atom, zab::server_id sender, T) for T one of ZAB's messages
//     (protocol/zab/messages.hpp), a snap_chunk or snap_ack (a SNAP's image, below), or one of
//     the ensemble's own below;
//     (link_reset_atom, zab::server_id sender): drop your link to me (fault injection, or a
//     learner refusing a SNAP stream; built-in types only, nothing to register).
//     Quorum SASL's handshake (protocol/sasl/quorum_auth.hpp), built-in types only:
//     (quorum_auth_learner_atom, zab::server_id sender, uint64_t attempt, int32_t status,
//      std::string token) from the side that connected (the learner), and
//     (quorum_auth_server_atom, the same fields) the accepting side's answers. `status` is
//     quorum_auth::status; `attempt` names one handshake, so a late answer to an abandoned one
//     is told apart.
//   The ensemble's own, besides ZAB's: what ZooKeeper's learners send their leader as REQUEST /
//   SYNC packets and ping contents. They travel on the quorum connection through peer_links,
//   so they keep their order with the ZAB messages around them (a sync_ack arrives after the
//   commits sent before it):
//     learner -> leader  forward_writes, forward_sync, session_touches, forward_read
//     leader -> learner  sync_ack, tree_digest_report, read_index_ack
#include "actors/messages/registry.hpp"
#include "protocol/zab/messages.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace paddock::actors {

// On the wire every message is (zab_wire_atom, sender's server id, the message).
using zab_wire_atom = caf::atom_constant<caf::atom("zabwire")>;
// Peer to peer: drop your link to me (the CAF connection between two servers is shared and
// cannot be closed alone).
using link_reset_atom = caf::atom_constant<caf::atom("linkreset")>;
// Quorum SASL: learner -> server and server -> learner frames.
using quorum_auth_learner_atom = caf::atom_constant<caf::atom("qauthlrn")>;
using quorum_auth_server_atom = caf::atom_constant<caf::atom("qauthsrv")>;

// SNAP (leader -> learner): the image a sync_snap names, streamed ahead of it in pieces of
// at most snap_chunk_bytes (no single message holds a connection for long: heartbeats, other
// traffic), produced by the leader's store as they are sent. The learner writes each to disk
// and acks it (snap_ack); at most snap_window_chunks pieces are unacked at a time. The
// sync_snap itself, and everything after it to that learner, leaves the leader once the last
// piece is acked (actors/peer_links.cpp, "SNAP streams").
struct snap_chunk {
  zab::zxid_t zxid = 0;
  uint64_t stream = 0; // the sync_snap's stream
  uint64_t offset = 0; // where `bytes` goes in the image
  std::string bytes;
  bool last = false;
  uint64_t total = 0; // last piece: the image's size
  uint32_t crc = 0;   // last piece: CRC32C of the whole image
};
inline constexpr size_t snap_chunk_bytes = 512 * 1024;
inline constexpr size_t snap_window_chunks = 8; // 4 MiB unacked at most
// The most bytes a leader keeps back behind its SNAP streams, all together, as held_size
// (actors/messages/held_size.hpp) charges them: everything sent to a learner while its image
// streams (proposal batches with their txns' payloads, commits, pings, ...). A message past it
// abandons that stream and drops the link, so the leader's memory for slow learners stays
// bounded whatever the size of the batches (a count of messages bounded nothing: one proposal
// may carry thousands of txns). Why 256 MiB: of the order of what the image of a million
// znodes used to cost the leader whole (176 MB, docs/benchmarks.md), and it lasts ~14-21 s at
// the write rates measured (~12-19 MB/s as charged), about as long as a learner may take to
// sync at the default initLimit (10 ticks of 2 s) before it gives up by itself
// (docs/replication.md, "SNAP as a stream"). peer_links takes the limit as a setting
// (snap_stream_actors::held_bytes_limit), this by default.
inline constexpr uint64_t snap_held_bytes_limit = uint64_t{256} << 20;

// SNAP (learner -> leader): the image's bytes before `end` are on the learner's disk (the
// last piece's ack: all of them, checked and fsync'ed).
struct snap_ack {
  zab::zxid_t zxid = 0;
  uint64_t stream = 0;
  uint64_t end = 0;
};

// learner -> leader: its clients' writes that arrived together, in order, each as txn
// Protobuf bytes without zxid and time (the leader stamps both). One message per batch.
struct forward_writes {
  std::vector<std::string> txns;
};

// learner -> leader: a client's sync; the leader answers with sync_ack once every proposal it
// had made when the sync arrived is committed.
struct forward_sync {
  int64_t id = 0;
};

struct sync_ack {
  int64_t id = 0;
};

// learner -> leader: its clients' linearizable reads that arrived together ask for a read
// index (paddock.linearizableReads); `id` numbers the learner's requests, one in flight at a
// time. The leader confirms a read round through its quorum (zab::peer::read_index) and
// answers with read_index_ack on the commit stream the request came in on, after the commits
// up to `index`: the learner serves those reads once it has applied `index`.
struct forward_read {
  int64_t id = 0;
};

struct read_index_ack {
  int64_t id = 0;
  zab::zxid_t index = 0;
};

// learner -> leader: sessions of its clients that showed signs of life (ZooKeeper puts these
// in its ping replies); only the leader expires sessions.
struct session_touches {
  std::vector<int64_t> ids;
};

// leader -> learner: the leader's tree digest after each txn it applied since its previous
// report (digest.enabled), (zxid, digest) in zxid order, 16 bytes a txn, at most 65,536 of
// them. Sent at most every 100 ms, behind the COMMITs of those zxids; the learner compares
// each entry with its own digest after the same zxid (store/tree/digest_log.hpp).
struct tree_digest_report {
  std::vector<std::pair<int64_t, int64_t>> digests;
};

// app_message, the five of them as one value between the quorum peer and peer_links, is
// declared in registry.hpp.

} // namespace paddock::actors

namespace paddock::zab {

// std::optional<ensemble> (a txn's reconfig): a flag, then the value when set. CAF 0.17 knows
// only its own caf::optional; this mirrors its inspect (found by ADL through ensemble).
struct maybe_ensemble {
  bool& present;
  ensemble& value;
  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, maybe_ensemble& m) {
    return m.present ? f(m.value) : f();
  }
};
template <class Inspector>
typename std::enable_if<Inspector::reads_state, typename Inspector::result_type>::type
inspect(Inspector& f, std::optional<ensemble>& x) {
  return x ? f(true, *x) : f(false);
}
template <class Inspector>
typename std::enable_if<Inspector::writes_state, typename Inspector::result_type>::type
inspect(Inspector& f, std::optional<ensemble>& x) {
  bool flag = false;
  ensemble value;
  maybe_ensemble helper{flag, value};
  auto result = f(flag, helper);
  if (flag)
    x = std::move(value);
  else
    x.reset();
  return result;
}
// A txn's payload crosses as the string it holds; the receiver's becomes the one shared copy.
template <class Inspector>
typename std::enable_if<Inspector::reads_state, typename Inspector::result_type>::type
inspect(Inspector& f, shared_bytes& x) {
  return f(const_cast<std::string&>(x.str()));
}
template <class Inspector>
typename std::enable_if<Inspector::writes_state, typename Inspector::result_type>::type
inspect(Inspector& f, shared_bytes& x) {
  std::string bytes;
  auto result = f(bytes);
  x = shared_bytes(std::move(bytes));
  return result;
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, ensemble& x) {
  return f(caf::meta::type_name("zab::ensemble"), x.members, x.version, x.text);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, txn& x) {
  return f(caf::meta::type_name("zab::txn"), x.zxid, x.payload, x.config);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, vote& x) {
  return f(caf::meta::type_name("zab::vote"), x.leader, x.zxid, x.peer_epoch);
}
// zab::role crosses as its underlying integer (CAF handles enums itself).
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, notification& x) {
  return f(caf::meta::type_name("zab::notification"), x.proposed, x.election_epoch, x.state,
           x.config);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, learner_info& x) {
  return f(caf::meta::type_name("zab::learner_info"), x.accepted_epoch, x.last_zxid, x.observer,
           x.wants_snapshot);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, leader_info& x) {
  return f(caf::meta::type_name("zab::leader_info"), x.new_epoch);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, ack_epoch& x) {
  return f(caf::meta::type_name("zab::ack_epoch"), x.current_epoch, x.last_zxid);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, sync_diff& x) {
  return f(caf::meta::type_name("zab::sync_diff"), x.last_zxid);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, sync_trunc& x) {
  return f(caf::meta::type_name("zab::sync_trunc"), x.zxid);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, sync_snap& x) {
  return f(caf::meta::type_name("zab::sync_snap"), x.zxid, x.stream);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, new_leader& x) {
  return f(caf::meta::type_name("zab::new_leader"), x.epoch, x.config);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, up_to_date& x) {
  return f(caf::meta::type_name("zab::up_to_date"), x.config);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, proposal& x) {
  return f(caf::meta::type_name("zab::proposal"), x.txns);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, ack& x) {
  return f(caf::meta::type_name("zab::ack"), x.zxid);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, commit& x) {
  return f(caf::meta::type_name("zab::commit"), x.zxid);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, inform& x) {
  return f(caf::meta::type_name("zab::inform"), x.txns);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, ping& x) {
  return f(caf::meta::type_name("zab::ping"), x.last_committed);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, read_round& x) {
  return f(caf::meta::type_name("zab::read_round"), x.round);
}

} // namespace paddock::zab

namespace paddock::actors {

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, snap_chunk& x) {
  return f(caf::meta::type_name("paddock::snap_chunk"), x.zxid, x.stream, x.offset, x.bytes, x.last,
           x.total, x.crc);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, snap_ack& x) {
  return f(caf::meta::type_name("paddock::snap_ack"), x.zxid, x.stream, x.end);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forward_writes& x) {
  return f(caf::meta::type_name("paddock::forward_writes"), x.txns);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, forward_sync& x) {
  return f(caf::meta::type_name("paddock::forward_sync"), x.id);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, sync_ack& x) {
  return f(caf::meta::type_name("paddock::sync_ack"), x.id);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, forward_read& x) {
  return f(caf::meta::type_name("paddock::forward_read"), x.id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, read_index_ack& x) {
  return f(caf::meta::type_name("paddock::read_index_ack"), x.id, x.index);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_touches& x) {
  return f(caf::meta::type_name("paddock::session_touches"), x.ids);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tree_digest_report& x) {
  return f(caf::meta::type_name("paddock::tree_digest_report"), x.digests);
}

} // namespace paddock::actors
