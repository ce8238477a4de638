// The checks of a write, one function per op in PrepRequestProcessor's order (so the same
// error wins as in ZooKeeper): session, path, ACL, version, ephemeral parent. They read a view
// of the tree in which a multi's earlier ops are applied to a scratch overlay, and leave a
// planned_op that cannot fail any more. Nothing here changes the tree.
#include "protocol/jute/opcodes.hpp"
#include "store/tree/acl.hpp"
#include "store/tree/data_tree_impl.hpp"
#include "store/tree/path.hpp"

#include <cstdio>
#include <variant>

namespace paddock::store {
namespace {

namespace op = jute::opcode;
using data_tree_detail::next_version;
using data_tree_detail::special_path;

// String.format("%010d", int): negative values keep the sign inside the width.
std::string sequence_suffix(int32_t cversion) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010d", cversion);
  return buf;
}

} // namespace

std::optional<data_tree::impl::record> data_tree::impl::get_record(std::string_view path) const {
  if (in_multi) {
    if (auto it = overlay.find(path); it != overlay.end()) {
      if (!it->second.first.exists) return std::nullopt;
      return it->second.first;
    }
  }
  const znode* n = find(path);
  if (!n) return std::nullopt;
  return record{true,
                n->version,
                n->cversion,
                n->aversion,
                n->ephemeral_owner,
                n->child_count(),
                &acls.get(n->acl)};
}

void data_tree::impl::put_record(std::string_view path, record r, jute::acl_list* own_acl) {
  if (!in_multi) return; // a single op is applied right after validation; nothing later reads this
  auto& slot = overlay[std::string(path)];
  if (own_acl) {
    slot.second = std::move(*own_acl);
    r.acl = &slot.second;
  }
  slot.first = r; // without own_acl, r.acl points into the acl table or this same slot
}

error_code data_tree::impl::check_session(const txn& t) const {
  // checkSession: a session the tree does not know (never created, or closed) is expired.
  return session_timeouts.contains(t.session_id) ? error_code::ok : error_code::session_expired;
}

error_code data_tree::impl::prep_create(const txn& t, const txn_op& o, planned_op& out) {
  const auto& req = std::get<jute::create_request>(o.body);
  auto mode = parse_create_mode(req.flags);
  if (!mode) return error_code::bad_arguments;
  // EphemeralType.validateTTL. Only createTTL carries a ttl; ZooKeeper uses -1 otherwise.
  // createTTL with a non-TTL mode: ZooKeeper answers BadArguments for ttl >= 0 and crashes
  // (IllegalArgumentException while applying, also on log replay) for ttl < 0; we refuse
  // both with BadArguments.
  int64_t ttl = o.type == op::create_ttl ? req.ttl : -1;
  if (mode->ttl) {
    if (ttl <= 0 || ttl > max_ttl_ms) return error_code::bad_arguments;
  } else if (ttl >= 0 || o.type == op::create_ttl) {
    return error_code::bad_arguments;
  }
  if (auto e = check_session(t); e != error_code::ok) return e;
  // validatePathForCreate: only "has a slash, no NUL" here; the full validation comes after
  // the parent lookup, which is why a bad path under a missing parent answers NoNode.
  const std::string& path = req.path;
  auto last_slash = path.rfind('/');
  if (last_slash == std::string::npos || path.find('\0') != std::string::npos)
    return error_code::bad_arguments;
  std::string_view parent_name = std::string_view(path).substr(0, last_slash);
  if (auto e = fixup_acl(req.acls, t.auth_ids(), out.acl); e != error_code::ok) return e;
  auto parent = get_record(parent_name);
  if (!parent) return error_code::no_node;
  if (!acl_permits(*parent->acl, jute::perms::create, t.auth_ids())) return error_code::no_auth;
  out.path = path;
  if (mode->sequential) out.path += sequence_suffix(parent->cversion);
  if (!valid_path(out.path)) return error_code::bad_arguments;
  if (get_record(out.path)) return error_code::node_exists;
  if (ephemeral_type_of(parent->ephemeral_owner) == ephemeral_type::session)
    return error_code::no_children_for_ephemerals;
  // The owner as DataTree stores it: the opcode decides container / TTL; a create (2) with
  // the container flag makes a persistent node, as in ZooKeeper.
  if (o.type == op::create_container)
    out.ephemeral_owner = container_ephemeral_owner;
  else if (o.type == op::create_ttl)
    out.ephemeral_owner = ttl_ephemeral_owner(ttl);
  else if (mode->ephemeral)
    out.ephemeral_owner = t.session_id;
  else
    out.ephemeral_owner = 0;

  record p = *parent;
  p.cversion = next_version(p.cversion);
  ++p.child_count;
  put_record(parent_name, p);
  if (in_multi) {
    jute::acl_list acl_copy = out.acl;
    put_record(out.path, record{true, 0, 0, 0, out.ephemeral_owner, 0, nullptr}, &acl_copy);
  }
  return error_code::ok;
}

error_code data_tree::impl::prep_delete(const txn& t, const txn_op& o, planned_op& out) {
  const auto& req = std::get<jute::delete_request>(o.body);
  if (auto e = check_session(t); e != error_code::ok) return e;
  // getParentPathAndValidate: no full path validation; a bad path simply does not exist.
  const std::string& path = req.path;
  auto last_slash = path.rfind('/');
  if (last_slash == std::string::npos || path.find('\0') != std::string::npos || special_path(path))
    return error_code::bad_arguments;
  std::string_view parent_name = std::string_view(path).substr(0, last_slash);
  auto parent = get_record(parent_name);
  if (!parent) return error_code::no_node;
  if (!acl_permits(*parent->acl, jute::perms::remove, t.auth_ids())) return error_code::no_auth;
  auto node = get_record(path);
  if (!node) return error_code::no_node;
  if (req.version != -1 && req.version != node->version) return error_code::bad_version;
  if (node->child_count > 0) return error_code::not_empty;
  out.path = path;
  record p = *parent;
  --p.child_count;
  put_record(parent_name, p);
  put_record(path, record{});
  return error_code::ok;
}

// PrepRequestProcessor's deleteContainer, from the leader's sweeper (session 0, no ACL
// or session check). Checked again here because a child may have been created, or the TTL
// znode changed, since the sweeper picked it: the node must still be childless and a
// container or a TTL znode (else BadVersion, as ZooKeeper), and a TTL znode still expired
// at the txn's time (ZooKeeper does not re-check this; the txn's time keeps it
// deterministic). Never part of a multi.
error_code data_tree::impl::prep_delete_container(const txn& t, const txn_op& o, planned_op& out) {
  const auto& req = std::get<jute::delete_request>(o.body);
  const std::string& path = req.path;
  auto last_slash = path.rfind('/');
  if (in_multi || last_slash == std::string::npos || special_path(path))
    return error_code::bad_arguments;
  const znode* n = find(path);
  if (!n || !find(std::string_view(path).substr(0, last_slash))) return error_code::no_node;
  if (n->child_count() > 0) return error_code::not_empty;
  switch (ephemeral_type_of(n->ephemeral_owner)) {
  case ephemeral_type::container: break;
  case ephemeral_type::ttl:
    if (!ttl_expired(ttl_of_owner(n->ephemeral_owner), n->mtime, t.time_ms))
      return error_code::bad_version;
    break;
  default: return error_code::bad_version;
  }
  out.path = path;
  return error_code::ok;
}

error_code data_tree::impl::prep_set_data(const txn& t, const txn_op& o, planned_op& out) {
  const auto& req = std::get<jute::set_data_request>(o.body);
  if (auto e = check_session(t); e != error_code::ok) return e;
  if (!valid_path(req.path)) return error_code::bad_arguments;
  auto node = get_record(req.path);
  if (!node) return error_code::no_node;
  if (!acl_permits(*node->acl, jute::perms::write, t.auth_ids())) return error_code::no_auth;
  if (req.version != -1 && req.version != node->version) return error_code::bad_version;
  out.path = req.path;
  record n = *node;
  n.version = next_version(n.version);
  put_record(req.path, n);
  return error_code::ok;
}

error_code data_tree::impl::prep_set_acl(const txn& t, const txn_op& o, planned_op& out) {
  const auto& req = std::get<jute::set_acl_request>(o.body);
  if (auto e = check_session(t); e != error_code::ok) return e;
  if (!valid_path(req.path)) return error_code::bad_arguments;
  if (auto e = fixup_acl(req.acls, t.auth_ids(), out.acl); e != error_code::ok) return e;
  auto node = get_record(req.path);
  if (!node) return error_code::no_node;
  if (!acl_permits(*node->acl, jute::perms::admin, t.auth_ids())) return error_code::no_auth;
  if (req.version != -1 && req.version != node->aversion) return error_code::bad_version;
  out.path = req.path;
  record n = *node;
  n.aversion = next_version(n.aversion);
  jute::acl_list acl_copy = out.acl;
  put_record(req.path, n, &acl_copy);
  return error_code::ok;
}

error_code data_tree::impl::prep_check(const txn& t, const txn_op& o, planned_op& out) {
  const auto& req = std::get<jute::check_version_request>(o.body);
  if (auto e = check_session(t); e != error_code::ok) return e;
  if (!valid_path(req.path)) return error_code::bad_arguments;
  auto node = get_record(req.path);
  if (!node) return error_code::no_node;
  if (!acl_permits(*node->acl, jute::perms::read, t.auth_ids())) return error_code::no_auth;
  if (req.version != -1 && req.version != node->version) return error_code::bad_version;
  out.path = req.path;
  return error_code::ok;
}

error_code data_tree::impl::prep(const txn& t, const txn_op& o, planned_op& out) {
  out.source = &o;
  switch (o.type) {
  case op::create:
  case op::create2:
  case op::create_container:
  case op::create_ttl:
    if (!std::holds_alternative<jute::create_request>(o.body)) return error_code::marshalling_error;
    return prep_create(t, o, out);
  case op::remove:
    if (!std::holds_alternative<jute::delete_request>(o.body)) return error_code::marshalling_error;
    return prep_delete(t, o, out);
  case op::delete_container:
    if (!std::holds_alternative<jute::delete_request>(o.body)) return error_code::marshalling_error;
    return prep_delete_container(t, o, out);
  case op::set_data:
    if (!std::holds_alternative<jute::set_data_request>(o.body))
      return error_code::marshalling_error;
    return prep_set_data(t, o, out);
  case op::set_acl:
    if (!std::holds_alternative<jute::set_acl_request>(o.body))
      return error_code::marshalling_error;
    return prep_set_acl(t, o, out);
  case op::check:
    if (!std::holds_alternative<jute::check_version_request>(o.body))
      return error_code::marshalling_error;
    return prep_check(t, o, out);
  default: return error_code::unimplemented;
  }
}

} // namespace paddock::store
