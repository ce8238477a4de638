#include "actors/messages/registry.hpp"

#include "actors/messages/ensemble_wire.hpp"

#include <caf/binary_serializer.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace paddock::actors {

void register_wire_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<zab::txn>("zab::txn");
  cfg.add_message_type<zab::vote>("zab::vote");
  cfg.add_message_type<zab::notification>("zab::notification");
  cfg.add_message_type<zab::learner_info>("zab::learner_info");
  cfg.add_message_type<zab::leader_info>("zab::leader_info");
  cfg.add_message_type<zab::ack_epoch>("zab::ack_epoch");
  cfg.add_message_type<zab::sync_diff>("zab::sync_diff");
  cfg.add_message_type<zab::sync_trunc>("zab::sync_trunc");
  cfg.add_message_type<zab::sync_snap>("zab::sync_snap");
  cfg.add_message_type<zab::new_leader>("zab::new_leader");
  cfg.add_message_type<zab::up_to_date>("zab::up_to_date");
  cfg.add_message_type<zab::proposal>("zab::proposal");
  cfg.add_message_type<zab::ack>("zab::ack");
  cfg.add_message_type<zab::commit>("zab::commit");
  cfg.add_message_type<zab::inform>("zab::inform");
  cfg.add_message_type<zab::ping>("zab::ping");
  cfg.add_message_type<zab::read_round>("zab::read_round");
  cfg.add_message_type<snap_chunk>("paddock::snap_chunk");
  cfg.add_message_type<snap_ack>("paddock::snap_ack");
  cfg.add_message_type<forward_writes>("paddock::forward_writes");
  cfg.add_message_type<forward_sync>("paddock::forward_sync");
  cfg.add_message_type<sync_ack>("paddock::sync_ack");
  cfg.add_message_type<session_touches>("paddock::session_touches");
  cfg.add_message_type<tree_digest_report>("paddock::tree_digest_report");
  cfg.add_message_type<forward_read>("paddock::forward_read");
  cfg.add_message_type<read_index_ack>("paddock::read_index_ack");
}

std::string wire_layout_fingerprint() {
  const caf::actor_system_config plain; // CAF's own types (its settings), not ours
  caf::actor_system_config cfg;
  register_wire_types(cfg);
  // CAF registers stream<T> and std::vector<T> too for each type added: an empty vector says
  // nothing about the layout, so only the names given above are listed.
  std::map<std::string, size_t> sizes;
  for (const auto& [name, make] : cfg.value_factories_by_name) {
    if (name.starts_with("std::vector<") || name.starts_with("stream<") ||
        plain.value_factories_by_name.count(name) != 0)
      continue;
    std::vector<char> bytes;
    caf::binary_serializer sink{nullptr, bytes};
    if (auto err = make()->save(sink)) {
      sizes[name] = 0; // cannot happen for these types; a 0 would show in the test's diff
      continue;
    }
    sizes[name] = bytes.size();
  }
  // A default txn or notification carries no configuration (an empty optional): the
  // configuration's own layout, with one member, is listed apart.
  {
    zab::ensemble one{{{1, true}}, 0, ""};
    std::vector<char> bytes;
    caf::binary_serializer sink{nullptr, bytes};
    sizes["zab::ensemble (one member)"] = sink(one) ? 0 : bytes.size();
  }
  std::string out;
  for (const auto& [name, size] : sizes)
    out += name + " " + std::to_string(size) + "\n";
  // The atoms that lead messages between servers: a renamed one is a message the other side
  // does not take.
  for (caf::atom_value atom :
       {zab_wire_atom::get_value(), link_reset_atom::get_value(),
        quorum_auth_learner_atom::get_value(), quorum_auth_server_atom::get_value()})
    out += "atom " + caf::to_string(atom) + "\n";
  return out;
}

void configure_peer_transport(caf::actor_system_config& cfg) {
  // A silent peer (SIGSTOP, a partition) is otherwise never noticed by CAF. The timeout is
  // far above the time one message takes (at most a 512 KiB snapshot piece, a few ms), so
  // heartbeats never tear a healthy connection mid-message (CAF 0.17 then drops the message
  // and tells neither side).
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(1000)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::milliseconds(10000)});
}

} // namespace paddock::actors
