#include "tools/cli/keeper_errors.hpp"

#include "protocol/jute/error_code.hpp"

namespace paddock::cli {

namespace {
using code = jute::error_code;
} // namespace

std::string code_message(int32_t err) {
  switch (static_cast<code>(err)) {
  case code::ok: return "ok";
  case code::not_empty: return "Directory not empty";
  case code::session_expired: return "Session expired";
  case code::invalid_callback: return "Invalid callback";
  case code::session_moved: return "Session moved";
  case code::not_read_only: return "Not a read-only call";
  case code::ephemeral_on_local_session: return "Ephemeral node on local session";
  case code::no_watcher: return "No such watcher";
  case code::reconfig_disabled: return "Reconfig is disabled";
  case code::session_closed_require_sasl_auth:
    return "Session closed because client failed to authenticate";
  case code::quota_exceeded: return "Quota has exceeded";
  case code::throttled_op: return "Op throttled due to high load";
  case code::api_error: return "APIError";
  case code::invalid_acl: return "InvalidACL";
  default: break;
  }
  auto name = jute::error_name(static_cast<code>(err));
  if (name.empty() || name.starts_with("Unknown")) return "Unknown error " + std::to_string(err);
  return std::string(name);
}

std::string code_name(int32_t err) {
  auto name = jute::error_name(static_cast<code>(err));
  return name.empty() ? std::to_string(err) : std::string(name);
}

std::string keeper_exception_message(int32_t err, std::string_view path) {
  std::string out = "KeeperErrorCode = " + code_message(err);
  if (!path.empty()) out += " for " + std::string(path);
  return out;
}

std::string keeper_message(int32_t err, std::string_view path) {
  std::string p(path);
  switch (static_cast<code>(err)) {
  case code::no_node: return "Node does not exist: " + p;
  case code::no_children_for_ephemerals: return "Ephemerals cannot have children: " + p;
  case code::node_exists: return "Node already exists: " + p;
  case code::not_empty: return "Node not empty: " + p;
  case code::not_read_only: return "Not a read-only call: " + p;
  case code::invalid_acl: return "Acl is not valid : " + p;
  case code::no_auth: return "Insufficient permission : " + p;
  case code::bad_arguments: return "Arguments are not valid : " + p;
  case code::bad_version: return "version No is not valid : " + p;
  case code::reconfig_in_progress:
    return "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)";
  case code::new_config_no_quorum:
    return "No quorum of new config is connected and up-to-date with the leader of last "
           "commmitted config - try invoking reconfiguration after new servers are connected "
           "and synced";
  case code::quota_exceeded: return "Quota has exceeded : " + p;
  default: return keeper_exception_message(err, path);
  }
}

} // namespace paddock::cli
