#pragma once
// The ensemble's membership as text, the way ZooKeeper writes and reads it: the server.N
// lines of /zookeeper/config and of the dynamic configuration files, and the new membership a
// reconfig request asks for (ZooKeeper's PrepRequestProcessor rules for joiningServers,
// leavingServers and newMembers). Pure: no files, no clocks.
#include "config/zoo_config.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace paddock::config {

using members_map = std::map<int64_t, peer_address>;

// One server's value as ZooKeeper's QuorumServer.toString prints it:
// "host:quorumPort:electionPort:participant|observer" and, when the line gave a client port,
// ";clientAddress:clientPort" (0.0.0.0 when no address was given; IPv6 in brackets).
std::string server_spec(const peer_address& p);

// The server.N lines, by id, separated by '\n' (no version line, no newline at the end): a
// dynamic configuration file's content, and /zookeeper/config's before "version=".
std::string members_text(const members_map& members);

// /zookeeper/config's data: the lines, then "version=<hex>" (Java's Long.toHexString).
std::string config_node_data(std::string_view members_text, int64_t version);
std::string hex_version(int64_t version);

// The server lines of a configuration text (as members_text writes it, or as an operator
// wrote a dynamic file): checked against each other as zoo.cfg's are.
std::variant<members_map, config_error> parse_members(std::string_view text);

// A reconfig's refusals before any quorum is asked (ZooKeeper's order: BadArguments for a
// malformed or impossible membership).
struct reconfig_refusal {
  std::string message; // what the log says; the client gets BadArguments
};

// The membership a reconfig asks for. newMembers set: a bulk change to exactly those lines
// (commas or newlines between them); else incremental: leavingServers (ids separated by
// commas) leave, joiningServers (server.N=spec, commas between, each with a client port)
// join or replace their id. The result must keep a participant, two when standaloneEnabled
// (ZooKeeper 3.8's rule), and use each host:port once.
std::variant<members_map, reconfig_refusal>
reconfig_members(const members_map& current, const std::optional<std::string>& joining,
                 const std::optional<std::string>& leaving,
                 const std::optional<std::string>& new_members, bool standalone_enabled);

// zoo.cfg.dynamic.<hex version>, next to the static configuration file (ZooKeeper's
// makeDynamicConfigFilename), and the version such a name carries (0 without one).
std::string dynamic_config_path(std::string_view static_config_path, int64_t version);
int64_t version_of_dynamic_config_path(std::string_view path);

// zoo.cfg's text once a dynamic file holds the ensemble (ZooKeeper's editStaticConfig): the
// server.N, group, weight, peerType and dynamicConfigFile lines go, and so do clientPort and
// clientPortAddress when this server's line carries its client address; a
// dynamicConfigFile line naming `dynamic_path` ends it.
std::string rewrite_static_config(std::string_view zoo_cfg_text, std::string_view dynamic_path,
                                  bool erase_client_address);

} // namespace paddock::config
