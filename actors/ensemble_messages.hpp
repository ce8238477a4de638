#pragma once
// Messages of ensemble mode (docs/replication.md). Two kinds:
// - between servers, besides ZAB's own (protocol/zab/messages.hpp): what ZooKeeper's learners
//   send their leader as REQUEST / SYNC packets and ping contents. They travel on the quorum
//   connection through peer_links, so they keep their order with the ZAB messages around them
//   (a sync_ack arrives after the commits sent before it);
// - local ones between quorum_peer and the store, log writer, session tracker and listener.
#include "store/data_tree.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace paddock::actors {

// --- between servers (serialized; registered by add_zab_message_types) ---------------------

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

// learner -> leader: sessions of its clients that showed signs of life (ZooKeeper puts these
// in its ping replies); only the leader expires sessions.
struct session_touches {
  std::vector<int64_t> ids;
};

using app_message = std::variant<forward_writes, forward_sync, sync_ack, session_touches>;

// --- local ----------------------------------------------------------------------------------

using links_atom = caf::atom_constant<caf::atom("peerlinks")>;  // server -> quorum_peer: start
using truncate_atom = caf::atom_constant<caf::atom("truncate")>;   // quorum_peer -> log writer
using reset_log_atom = caf::atom_constant<caf::atom("resetlog")>;  // quorum_peer -> log writer
using take_snap_atom = caf::atom_constant<caf::atom("takesnap")>;  // quorum_peer -> store
using install_atom = caf::atom_constant<caf::atom("install")>;     // quorum_peer -> store
using reload_atom = caf::atom_constant<caf::atom("reload")>;       // quorum_peer -> store
using serving_atom = caf::atom_constant<caf::atom("serving")>;     // quorum_peer -> listener
using role_atom = caf::atom_constant<caf::atom("role")>;           // quorum_peer -> tracker
using touches_atom = caf::atom_constant<caf::atom("touches")>;     // tracker -> quorum_peer
using session_up_atom = caf::atom_constant<caf::atom("sessup")>;   // store -> tracker
using session_down_atom = caf::atom_constant<caf::atom("sessdown")>; // store -> tracker
using sessions_atom = caf::atom_constant<caf::atom("sessions")>;   // store -> tracker (reset)

// store -> tracker after a snapshot install or a reload: the sessions the tree now holds.
struct session_list {
  std::vector<store::session_entry> sessions;
};

} // namespace paddock::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::session_list)
