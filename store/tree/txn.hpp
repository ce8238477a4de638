#pragma once
// A transaction: what the proposal pipeline stamps and every server applies in zxid order.
// It carries the client's request itself; data_tree::apply decides the outcome (errors,
// sequential names, multi rollback), so the same txn gives the same tree everywhere.
#include "protocol/jute/error_code.hpp"
#include "protocol/jute/opcodes.hpp"
#include "protocol/jute/records.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace paddock::store {

using jute::error_code;

// The opcodes a txn_op can carry: the writes that are one op of their own (or of a multi).
constexpr bool is_single_write(int32_t opcode) {
  switch (opcode) {
  case jute::opcode::create:
  case jute::opcode::create2:
  case jute::opcode::create_container:
  case jute::opcode::create_ttl:
  case jute::opcode::remove:
  case jute::opcode::delete_container: // made by the leader's sweeper only
  case jute::opcode::set_data:
  case jute::opcode::set_acl:
  case jute::opcode::check: return true;
  default: return false;
  }
}

struct txn_op {
  // The request's opcode: create, create2, create_container, create_ttl, remove,
  // delete_container (a delete_request with version -1), set_data, set_acl or check.
  // It decides the shape of the result (create vs create2, ...).
  int32_t type = 0;
  std::variant<jute::create_request, jute::delete_request, jute::set_data_request,
               jute::set_acl_request, jute::check_version_request>
      body;
};

struct txn {
  int64_t zxid = 0;
  int64_t time_ms = 0; // the leader's wall clock when stamped: ctime / mtime
  int64_t session_id = 0;
  // The client's xid of the request (0 for createSession and server-made txns): an ensemble
  // server finds the request a forwarded write answers by (session_id, cxid).
  int32_t cxid = 0;
  // A single op's opcode, or multi, create_session, close_session.
  int32_t type = 0;
  std::vector<txn_op> ops;        // one for a single op, each op of a multi, none otherwise
  int32_t session_timeout_ms = 0; // create_session only
  // create_session only: the session's password, so that whichever server holds the tree
  // (after a restart, or a follower) can check a reconnect.
  std::string session_passwd;
  // The origin session's authenticated ids (ZooKeeper's authInfo: ip:<client address>, digest
  // ids from addauth, {"super", ""} for a super user). ACL checks and the "auth" ACL scheme
  // are decided in apply from these, so they travel with the txn.
  // Shared with the session (replaced, never changed, on addAuth): no copy per write.
  std::shared_ptr<const std::vector<jute::id>> auth;
  // reconfig: the client's request, while it travels to the leader (which proposes the
  // set_data of /zookeeper/config it decides on, in `ops`, or refuses it).
  std::optional<jute::reconfig_request> reconfig;
  // The leader refused the request (ZooKeeper's ErrorTxn): apply changes nothing and answers
  // the origin with this code.
  jute::error_code refused = jute::error_code::ok;
  std::span<const jute::id> auth_ids() const {
    return auth ? std::span<const jute::id>(*auth) : std::span<const jute::id>{};
  }
};

// A change that may fire watches: ZooKeeper's triggerWatch(path, type, zxid, acl).
struct watch_trigger {
  std::string path;
  jute::event_type type = jute::event_type::none;
  // The ACL of the node the event is about (for NodeDeleted the one it had, for
  // NodeChildrenChanged the parent's): only watchers that may READ it get the event
  // (CVE-2024-23944). Null when the node is world-readable, so most events carry nothing.
  std::shared_ptr<const jute::acl_list> acl = nullptr;
};

struct op_result {
  int32_t type = 0; // the op's opcode; jute::opcode::error for a failed op of a multi
  error_code err = error_code::ok;
  std::string path; // create*: the path created, with its sequence suffix
  jute::stat stat;  // create2 / createContainer / createTTL, setData, setACL, reconfig
  std::string data; // reconfig: /zookeeper/config's new data (its reply is a getData's)
};

struct apply_result {
  // What goes into the ReplyHeader's err for the origin session.
  error_code err = error_code::ok;
  // One per op (one for a single op). For a failed multi, ZooKeeper's shape: ops before the
  // failing one report ok, the failing one its error, later ones runtime_inconsistency.
  std::vector<op_result> results;
  // Watches this txn triggers, in the order ZooKeeper triggers them.
  std::vector<watch_trigger> triggers;
  // For the operator's log, not the client: a quota's soft limit passed ("Quota exceeded").
  std::vector<std::string> warnings;
};

} // namespace paddock::store
