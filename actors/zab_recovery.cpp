#include "actors/zab_recovery.hpp"

#include "config/membership.hpp"
#include "store/disk/epoch_file.hpp"
#include "store/disk/txn_codec.hpp"

#include <spdlog/spdlog.h>
#include <utility>
#include <variant>

namespace paddock::actors {

namespace {

// The ensemble (the core's view) of parsed server lines; none when they did not parse or
// name no server. `text` is what the cores carry between servers.
std::optional<zab::ensemble>
ensemble_of(const std::variant<config::members_map, config::config_error>& parsed, int64_t version,
            std::string text) {
  const auto* members = std::get_if<config::members_map>(&parsed);
  if (!members || members->empty()) return std::nullopt;
  zab::ensemble e;
  for (const auto& [id, p] : *members)
    e.members[id] = !p.observer;
  e.version = version;
  e.text = std::move(text);
  return e;
}

} // namespace

// The core must know the reconfigs of its history: one may be pending, and a DIFF carries
// them to learners.
std::optional<zab::ensemble> reconfig_in(int64_t zxid, const std::string& body) {
  store::txn t;
  if (!store::decode_txn(body, t) || t.type != jute::opcode::reconfig ||
      t.refused != jute::error_code::ok || t.ops.size() != 1)
    return std::nullopt;
  const auto* set = std::get_if<jute::set_data_request>(&t.ops.front().body);
  if (!set) return std::nullopt;
  return ensemble_of(config::parse_members(set->data), zxid, set->data);
}

std::optional<zab::ensemble> config_in_tree(const store::data_tree& tree) {
  std::string data;
  jute::stat stat;
  if (tree.get_data(store::data_tree::config_node, data, stat) != jute::error_code::ok)
    return std::nullopt;
  // Only a reconfig's apply and an activation (set_config_node) write the node, both with
  // version -1 (ZooKeeper's setData(path, data, -1)); a client's setData (a super user's)
  // leaves a version >= 0, and a fresh tree's node has 0: such data is not a configuration
  // any server agreed on.
  if (stat.version != -1) return std::nullopt;
  // The node's data is the server lines and a "version=" line; the text the cores carry is
  // the server lines alone, as a reconfig txn and a dynamic file hold them (members_text).
  auto parsed = config::parse_members(data);
  const auto* members = std::get_if<config::members_map>(&parsed);
  return ensemble_of(parsed, stat.mzxid, members ? config::members_text(*members) : std::string());
}

std::optional<zab::ensemble> last_seen_config(std::optional<zab::ensemble> from_log,
                                              std::optional<zab::ensemble> from_tree) {
  if (from_tree && (!from_log || from_tree->version > from_log->version)) return from_tree;
  return from_log;
}

std::optional<zab::persistent_state> load_zab_state(store::file_system& disk,
                                                    const config::server_config& cfg,
                                                    store::recovery_result& recovered,
                                                    const store::data_tree& tree) {
  zab::persistent_state state;
  auto accepted = store::read_epoch_file(disk, cfg.snap_dir() + "/acceptedEpoch");
  auto current = store::read_epoch_file(disk, cfg.snap_dir() + "/currentEpoch");
  for (const auto* r : {&accepted, &current})
    if (!r->status.ok()) {
      spdlog::critical("{}", r->status.message);
      return std::nullopt;
    }
  const int64_t last_zxid = tree.last_zxid();
  state.current_epoch = current.value.value_or(zab::epoch_of(last_zxid));
  state.accepted_epoch = accepted.value.value_or(state.current_epoch);
  if (state.accepted_epoch < state.current_epoch) {
    spdlog::critical("acceptedEpoch {} is less than currentEpoch {} in {}: the epoch files "
                     "are damaged",
                     state.accepted_epoch, state.current_epoch, cfg.snap_dir());
    return std::nullopt;
  }
  state.last_logged = last_zxid;
  state.recent.reserve(recovered.recent.size());
  for (auto& [zxid, body] : recovered.recent) {
    auto config = reconfig_in(zxid, body); // before the body moves into the txn
    state.recent.push_back({zxid, std::move(body), std::move(config)});
  }
  recovered.recent.clear();
  std::optional<zab::ensemble> from_log;
  if (recovered.last_reconfig)
    from_log = reconfig_in(recovered.last_reconfig->first, recovered.last_reconfig->second);
  // A reconfig the snapshot holds is in no log record replayed: only the tree's
  // /zookeeper/config still knows it. It matters when the active configuration (zoo.cfg and
  // its dynamic file, written best effort when a configuration activates) is older: the
  // server crashed, or could not write the file, after applying it.
  //
  // It is taken as pending (the core's rule for a last seen configuration newer than the
  // active one), not activated here, although it was applied: applied is not committed.
  // Recovery applies every logged txn, committed or not, and a snapshot taken after such a
  // replay, or received by SNAP from a leader that was never established, may hold a txn the
  // next leader truncates (store::recover_to). Pending is safe whether it committed or not:
  // every quorum is one of both configurations meanwhile; a leader commits it with the history
  // it was established with, a learner activates it at UPTODATE, and a newer committed
  // configuration from a peer replaces it. ZooKeeper 3.8 keeps its last seen configuration
  // apart from the active one the same way, but reads both from files alone
  // (zoo.cfg.dynamic.next, written when a reconfig is logged), never from its data. This
  // server writes no such file: its data stands in for it, under the conditions below.
  //
  // The tree is trusted only when zoo.cfg names a dynamic file (the active configuration has
  // a version): the server ran with dynamic reconfiguration and its files lag its data. Server
  // lines in zoo.cfg (version 0) are the operator's word on the membership, as in ZooKeeper:
  // a fresh ensemble, an ensemble rebuilt from its survivors after a disaster (a tree naming
  // the lost servers would leave no quorum, ever), or data imported from ZooKeeper.
  //
  // With reconfigEnabled=false zoo.cfg alone says who the members are (ZooKeeper keeps no last
  // seen configuration then): an operator changes the ensemble by editing it, and the tree's
  // node, stamped by an earlier leader, holds the membership of before that edit.
  std::optional<zab::ensemble> from_tree;
  if (cfg.reconfig_enabled && cfg.config_version > 0) from_tree = config_in_tree(tree);
  state.last_seen_config = last_seen_config(std::move(from_log), std::move(from_tree));
  return state;
}

} // namespace paddock::actors
