#include "protocol/jute/error_code.hpp"

namespace paddock::jute {

std::string_view error_name(error_code code) {
  switch (code) {
  case error_code::ok: return "OK";
  case error_code::system_error: return "SystemError";
  case error_code::runtime_inconsistency: return "RuntimeInconsistency";
  case error_code::data_inconsistency: return "DataInconsistency";
  case error_code::connection_loss: return "ConnectionLoss";
  case error_code::marshalling_error: return "MarshallingError";
  case error_code::unimplemented: return "Unimplemented";
  case error_code::operation_timeout: return "OperationTimeout";
  case error_code::bad_arguments: return "BadArguments";
  case error_code::unknown_session: return "UnknownSession";
  case error_code::new_config_no_quorum: return "NewConfigNoQuorum";
  case error_code::reconfig_in_progress: return "ReconfigInProgress";
  case error_code::api_error: return "APIError";
  case error_code::no_node: return "NoNode";
  case error_code::no_auth: return "NoAuth";
  case error_code::bad_version: return "BadVersion";
  case error_code::no_children_for_ephemerals: return "NoChildrenForEphemerals";
  case error_code::node_exists: return "NodeExists";
  case error_code::not_empty: return "NotEmpty";
  case error_code::session_expired: return "SessionExpired";
  case error_code::invalid_callback: return "InvalidCallback";
  case error_code::invalid_acl: return "InvalidACL";
  case error_code::auth_failed: return "AuthFailed";
  case error_code::session_moved: return "SessionMoved";
  case error_code::not_read_only: return "NotReadOnly";
  case error_code::ephemeral_on_local_session: return "EphemeralOnLocalSession";
  case error_code::no_watcher: return "NoWatcher";
  case error_code::request_timeout: return "RequestTimeout";
  case error_code::reconfig_disabled: return "ReconfigDisabled";
  case error_code::session_closed_require_sasl_auth: return "SessionClosedRequireSaslAuth";
  case error_code::quota_exceeded: return "QuotaExceeded";
  case error_code::throttled_op: return "ThrottledOp";
  }
  return "Unknown";
}

} // namespace paddock::jute
