#pragma once
// How ZAB's messages (protocol/zab/messages.hpp) and the ensemble's own
// (actors/ensemble_messages.hpp) cross between servers: CAF 0.17 serialization (inspect) for
// each, registered under stable names on every server. A type one server does not register
// arrives at the other as an empty message, silently — hence one function registers them
// all, and a test sends each between two actor systems.
#include "actors/ensemble_messages.hpp"
#include "protocol/zab/messages.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>

namespace paddock::actors {

// On the wire every message is (zab_wire_atom, sender's server id, the message).
using zab_wire_atom = caf::atom_constant<caf::atom("zabwire")>;

// A piece of a large sync_snap: snapshots travel in pieces of at most snap_chunk_bytes so
// that no single message holds a connection for long (heartbeats, other traffic).
struct snap_chunk {
  zab::zxid_t zxid = 0;
  uint64_t total = 0;  // the whole state's size
  uint64_t offset = 0; // where `bytes` goes
  std::string bytes;
};
inline constexpr size_t snap_chunk_bytes = 512 * 1024;

void add_zab_message_types(caf::actor_system_config& cfg);

// Heartbeats between servers, so a peer that stops answering (hung, partitioned) drops its
// connection; ZAB's own pings (syncLimit) decide about roles.
void configure_peer_transport(caf::actor_system_config& cfg);

} // namespace paddock::actors

namespace paddock::zab {

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, txn& x) {
  return f(caf::meta::type_name("zab::txn"), x.zxid, x.payload);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, vote& x) {
  return f(caf::meta::type_name("zab::vote"), x.leader, x.zxid, x.peer_epoch);
}
// zab::role crosses as its underlying integer (CAF handles enums itself).
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, notification& x) {
  return f(caf::meta::type_name("zab::notification"), x.proposed, x.election_epoch, x.state);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, learner_info& x) {
  return f(caf::meta::type_name("zab::learner_info"), x.accepted_epoch, x.last_zxid, x.observer);
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
  return f(caf::meta::type_name("zab::sync_snap"), x.zxid, x.state);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, new_leader& x) {
  return f(caf::meta::type_name("zab::new_leader"), x.epoch);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, up_to_date&) {
  return f(caf::meta::type_name("zab::up_to_date"));
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

} // namespace paddock::zab

namespace paddock::actors {

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, snap_chunk& x) {
  return f(caf::meta::type_name("paddock::snap_chunk"), x.zxid, x.total, x.offset, x.bytes);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forward_writes& x) {
  return f(caf::meta::type_name("paddock::forward_writes"), x.txns);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forward_sync& x) {
  return f(caf::meta::type_name("paddock::forward_sync"), x.id);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, sync_ack& x) {
  return f(caf::meta::type_name("paddock::sync_ack"), x.id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_touches& x) {
  return f(caf::meta::type_name("paddock::session_touches"), x.ids);
}

} // namespace paddock::actors
