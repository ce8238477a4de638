#pragma once
// Ensemble mode inside one server (docs/replication.md): the quorum peer (the actor around the
// ZAB core) and peer_links (its connections to the other servers).
//   server -> quorum peer      (links_atom, peer_links_handle) the published links: ZAB starts
//   quorum peer -> links       (zab_out_atom, zab::server_id to, uint64_t generation,
//                              zab::message)
//                              (app_out_atom, zab::server_id to, uint64_t generation,
//                              app_message)
//                              (drop_link_atom, std::vector<zab::server_id> candidates)
//                              -> zab::server_id dropped, or no_server (fault injection)
//                              peer_membership: the active configuration's servers (a
//                              reconfig activated): link to new ones, stop reconnecting to
//                              ones it no longer names, listen where this server's own
//                              line says
//   links -> quorum peer       (zab_in_atom, zab::server_id from, zab::message)
//                              (app_in_atom, zab::server_id from, app_message)
//                              (link_down_atom, zab::server_id peer, uint64_t generation)
//   fault injector -> quorum peer  (drop_link_atom, zab::server_id wanted) -> zab::server_id
//   tracker -> quorum peer     (touches_atom, std::vector<int64_t>) (learner)
//   store -> quorum peer       (digest_report_atom, std::vector<std::pair<int64_t, int64_t>>)
//                              the tree digest after every txn since the previous report: a
//                              leader sends it to its learners (tree_digest_report), which
//                              pass it to their store (digest_check_atom);
//                              (digest_mismatch_atom, int64_t zxid) a
//                              learner's tree disagreed with its leader's: resync by SNAP
//   session -> quorum peer     read_request (store.hpp): a linearizable read
//                              (paddock.linearizableReads), served through the store once
//                              its read index is confirmed and applied
//   the quorum peer also takes the write path (pipeline_handle, pipeline.hpp) and sends the
//   store, log writer, tracker, sweeper and listener the ensemble messages of store.hpp,
//   pipeline.hpp, sessions.hpp, common.hpp and client.hpp.
// Link generations keep ZAB's rule "between two servers messages arrive in order, or not at
// all once the connection broke, and the core hears of the break before anything sent
// later": each peer has a generation, raised whenever its connection is lost or a message to
// it is dropped for want of one, and the owner is told the new value. A message sent with an
// older generation than the current one is dropped: the owner had not yet heard of the break
// when it sent it. Between two live servers everything travels on one CAF connection, so the
// two kinds of messages keep their relative order.
#include "actors/messages/ensemble_wire.hpp"
#include "actors/messages/pipeline.hpp"
#include "actors/messages/registry.hpp"
#include "actors/messages/sessions.hpp"
#include "actors/messages/store.hpp"
#include "config/zoo_config.hpp"
#include "protocol/zab/messages.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <map>
#include <vector>

namespace paddock::actors {

using links_atom = caf::atom_constant<caf::atom("peerlinks")>; // server -> quorum_peer: start
using zab_out_atom = caf::atom_constant<caf::atom("zabout")>;
using zab_in_atom = caf::atom_constant<caf::atom("zabin")>;
using app_out_atom = caf::atom_constant<caf::atom("appout")>;
using app_in_atom = caf::atom_constant<caf::atom("appin")>;
using link_down_atom = caf::atom_constant<caf::atom("linkdown")>;
using drop_link_atom = caf::atom_constant<caf::atom("droplink")>;
// Self-addressed: peer_links' reconnect timer; the quorum peer's core tick (every 50 ms) and
// its flush of the proposals (or forwarded writes) gathered while it drained its mailbox.
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
// Self-addressed: (quorum_auth_timeout_atom, zab::server_id peer, uint64_t attempt) a quorum
// SASL handshake this server started as the learner has had no answer in time.
using quorum_auth_timeout_atom = caf::atom_constant<caf::atom("qauthwait")>;
using core_tick_atom = caf::atom_constant<caf::atom("zabtick")>;
using flush_proposals_atom = caf::atom_constant<caf::atom("zabflush")>;
using digest_report_atom = caf::atom_constant<caf::atom("digestrep")>;
using digest_mismatch_atom = caf::atom_constant<caf::atom("digestbad")>;

// quorum peer -> peer_links: the servers of the active configuration, this one included.
struct peer_membership {
  std::map<zab::server_id, config::peer_address> peers;
};

// What the quorum peer may ask of peer_links. peer_links itself is dynamically typed: it is
// the actor published on the peer ports, and what reaches it from other servers comes through
// untyped BASP proxies (connect_atom gives no typed handle), so its full behavior — the wire
// messages of ensemble_wire.hpp — is checked by the wire test rather than the compiler.
using peer_links_handle = caf::typed_actor<
    caf::reacts_to<zab_out_atom, zab::server_id, uint64_t, zab::message>,
    caf::reacts_to<app_out_atom, zab::server_id, uint64_t, app_message>,
    caf::reacts_to<peer_membership>,
    caf::replies_to<drop_link_atom, std::vector<zab::server_id>>::with<zab::server_id>>;

// What peer_links may send its owner (the quorum peer; a test's mailbox).
using peer_links_owner_handle =
    caf::typed_actor<caf::reacts_to<zab_in_atom, zab::server_id, zab::message>,
                     caf::reacts_to<link_down_atom, zab::server_id, uint64_t>,
                     caf::reacts_to<app_in_atom, zab::server_id, app_message>>;

// The quorum peer: the write path of pipeline_handle, what peer_links delivers, and the
// ensemble's own.
using quorum_peer_handle = pipeline_handle::extend<
    caf::reacts_to<zab_in_atom, zab::server_id, zab::message>,
    caf::reacts_to<link_down_atom, zab::server_id, uint64_t>,
    caf::reacts_to<app_in_atom, zab::server_id, app_message>,
    caf::reacts_to<links_atom, peer_links_handle>, caf::reacts_to<flush_proposals_atom>,
    caf::reacts_to<core_tick_atom>,
    caf::replies_to<drop_link_atom, zab::server_id>::with<zab::server_id>,
    caf::reacts_to<touches_atom, std::vector<int64_t>>,
    caf::reacts_to<digest_report_atom, std::vector<std::pair<int64_t, int64_t>>>,
    caf::reacts_to<digest_mismatch_atom, int64_t>, caf::reacts_to<read_request>>;

} // namespace paddock::actors
