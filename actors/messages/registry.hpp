#pragma once
// Where each message type may go, in one place.
// - Local-only types (below): plain structs that never leave the process. CAF 0.17 wants an
//   inspect() for every message type unless told the type is never serialized; these are
//   declared so here, before any header puts them in a message. They cannot be serialized,
//   so none may ever be sent to another server: only the wire types cross.
// - Wire types (actors/messages/ensemble_wire.hpp): serialized between servers over BASP,
//   registered under stable names by register_wire_types. A type one server does not register
//   arrives at the other as an empty message, silently — hence one function registers them
//   all, on every server, and a test sends each between two actor systems.
#include "protocol/zab/messages.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <string>
#include <variant>

namespace paddock::admin {
struct connection_info;
struct server_snapshot;
} // namespace paddock::admin

namespace paddock::actors {

struct outbound_batch;      // client.hpp
struct write_request;       // pipeline.hpp
struct sync_request;        // pipeline.hpp
struct log_append;          // pipeline.hpp
struct log_append_batch;    // pipeline.hpp
struct logged;              // pipeline.hpp
struct log_failed;          // pipeline.hpp
struct commit;              // store.hpp
struct commit_batch;        // store.hpp
struct read_request;        // store.hpp
struct set_watches_request; // store.hpp
struct applied;             // store.hpp
struct read_done;           // store.hpp
struct auth_changed;        // store.hpp
struct snapshot_slice;      // store.hpp
struct snap_piece;          // store.hpp
struct received_chunk;      // store.hpp
struct session_list;        // sessions.hpp
struct tree_stats;          // store.hpp
struct reconfig_right;      // store.hpp
struct peer_membership;     // ensemble_local.hpp
struct watch_stats;         // store.hpp
struct forward_writes;      // ensemble_wire.hpp
struct forward_sync;        // ensemble_wire.hpp
struct sync_ack;            // ensemble_wire.hpp
struct forward_read;        // ensemble_wire.hpp
struct read_index_ack;      // ensemble_wire.hpp
struct session_touches;     // ensemble_wire.hpp
struct tree_digest_report;  // ensemble_wire.hpp
// ensemble_wire.hpp: the ensemble's own peer messages, as one value between the quorum peer
// and peer_links (each crosses the wire as itself, never as the variant).
using app_message = std::variant<forward_writes, forward_sync, sync_ack, session_touches,
                                 tree_digest_report, forward_read, read_index_ack>;

// Registers every wire type (ZAB's and the ensemble's) under its stable name.
void register_wire_types(caf::actor_system_config& cfg);

// The layout fingerprint of the wire types: one line per type registered by
// register_wire_types, in name order, "<name> <bytes>", the bytes being the size of a
// default-constructed value in CAF's binary serialization; the same for a configuration
// (zab::ensemble, inside txns and notifications) with one member; then the atoms that lead
// peer messages. A field added, removed or retyped changes it (registry_test.cpp holds it
// against peer_protocol_version.hpp); fields of the same type swapped, or a new meaning for
// a field, do not.
std::string wire_layout_fingerprint();

// Heartbeats between servers, so a peer that stops answering (hung, partitioned) drops its
// connection; ZAB's own pings (syncLimit) decide about roles.
void configure_peer_transport(caf::actor_system_config& cfg);

} // namespace paddock::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::admin::connection_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::admin::server_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::outbound_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::write_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::sync_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::log_append)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::log_append_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::logged)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::log_failed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::commit)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::commit_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::read_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::set_watches_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::applied)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::read_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::auth_changed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::snapshot_slice)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::snap_piece)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::received_chunk)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::session_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::tree_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::reconfig_right)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::peer_membership)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::watch_stats)
// Between the quorum peer and peer_links only; peer_links sends the alternative inside.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::zab::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::app_message)
