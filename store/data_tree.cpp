// The data tree: validation in PrepRequestProcessor's order against a view of the tree (with a
// multi's earlier ops applied to a scratch overlay), then the change as DataTree makes it.
#include "store/data_tree.hpp"

#include "protocol/jute/opcodes.hpp"
#include "store/acl.hpp"
#include "store/create_mode.hpp"
#include "store/path.hpp"
#include "store/quota.hpp"
#include "store/znode.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

namespace paddock::store {
namespace {

namespace op = jute::opcode;
using jute::event_type;

// Nodes that can never be deleted (DataTree.isSpecialPath).
bool special_path(std::string_view path) {
  return path == "/" || path == "/zookeeper" || path == "/zookeeper/quota" ||
         path == "/zookeeper/config";
}

// Versions wrap like a Java int (3.8.0's checkAndIncVersion is a plain + 1).
int32_t next_version(int32_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(v) + 1U);
}

// String.format("%010d", int): negative values keep the sign inside the width.
std::string sequence_suffix(int32_t cversion) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010d", cversion);
  return buf;
}

// ZooKeeper triggers a child watch on the parent path, with "" spelled "/".
std::string parent_for_watch(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == 0 ? std::string("/") : std::string(path.substr(0, slash));
}

// What a write sees of a node: ZooKeeper's ChangeRecord.
struct record {
  bool exists = false;
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  int64_t ephemeral_owner = 0;
  size_t child_count = 0;
  const jute::acl_list* acl = nullptr;
};

// The validated form of one op, ready to change the tree (cannot fail any more).
struct planned_op {
  const txn_op* source = nullptr;
  std::string path; // the final path (a sequential create's suffix added)
  jute::acl_list acl;
  int64_t ephemeral_owner = 0;
};

} // namespace

struct data_tree::impl {
  std::unique_ptr<znode> root;
  acl_table acls;
  std::unordered_map<int64_t, std::set<std::string>> ephemerals;
  std::set<std::string> container_paths;
  std::set<std::string> ttl_paths;
  // Paths with a quota (a zookeeper_limits znode under /zookeeper/quota): DataTree's pTrie.
  std::set<std::string, std::less<>> quota_paths;
  // Quota warnings of the txn being applied: apply() hands them out in its result.
  std::vector<std::string> warnings;
  // ZooKeeper's sessionsWithTimeouts, with each session's password.
  std::unordered_map<int64_t, std::pair<int32_t, std::string>> session_timeouts;
  int64_t last_zxid = 0;
  size_t nodes = 0;
  int64_t data_size = 0;

  // restore_node's last parent (snapshots list siblings together).
  std::string restore_parent_path;
  znode* restore_parent = nullptr;

  // A multi's pending changes by path; empty and unused for single ops.
  std::map<std::string, std::pair<record, jute::acl_list>, std::less<>> overlay;
  bool in_multi = false;

  impl();
  ~impl();

  // ----- lookup -----
  znode* find(std::string_view path) const {
    if (path.empty() || path == "/") return root.get();
    if (path[0] != '/') return nullptr;
    znode* n = root.get();
    size_t pos = 1;
    for (;;) {
      auto slash = path.find('/', pos);
      auto name = path.substr(pos, slash == std::string_view::npos ? path.npos : slash - pos);
      n = n->child(name);
      if (!n || slash == std::string_view::npos) return n;
      pos = slash + 1;
    }
  }

  jute::stat stat_of(const znode& n) const {
    jute::stat s;
    s.czxid = n.czxid;
    s.mzxid = n.mzxid;
    s.pzxid = n.pzxid;
    s.ctime = n.ctime;
    s.mtime = n.mtime;
    s.version = n.version;
    auto children = static_cast<int64_t>(n.child_count());
    s.cversion = static_cast<int32_t>(static_cast<int64_t>(n.cversion) * 2 - children);
    s.aversion = n.aversion;
    s.ephemeral_owner = client_ephemeral_owner(n.ephemeral_owner);
    s.data_length = static_cast<int32_t>(n.data().size());
    s.num_children = static_cast<int32_t>(children);
    return s;
  }

  // ----- the view validation reads (ZooKeeper's getRecordForPath) -----
  std::optional<record> get_record(std::string_view path) const {
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

  void put_record(std::string_view path, record r, jute::acl_list* own_acl = nullptr) {
    if (!in_multi)
      return; // a single op is applied right after validation; nothing later reads this
    auto& slot = overlay[std::string(path)];
    if (own_acl) {
      slot.second = std::move(*own_acl);
      r.acl = &slot.second;
    }
    slot.first = r; // without own_acl, r.acl points into the acl table or this same slot
  }

  // ----- validation, one function per op, checks in PrepRequestProcessor's order -----
  error_code check_session(const txn& t) const {
    // checkSession: a session the tree does not know (never created, or closed) is expired.
    return session_timeouts.contains(t.session_id) ? error_code::ok : error_code::session_expired;
  }

  error_code prep_create(const txn& t, const txn_op& o, planned_op& out) {
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

  error_code prep_delete(const txn& t, const txn_op& o, planned_op& out) {
    const auto& req = std::get<jute::delete_request>(o.body);
    if (auto e = check_session(t); e != error_code::ok) return e;
    // getParentPathAndValidate: no full path validation; a bad path simply does not exist.
    const std::string& path = req.path;
    auto last_slash = path.rfind('/');
    if (last_slash == std::string::npos || path.find('\0') != std::string::npos ||
        special_path(path))
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
  error_code prep_delete_container(const txn& t, const txn_op& o, planned_op& out) {
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

  error_code prep_set_data(const txn& t, const txn_op& o, planned_op& out) {
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

  error_code prep_set_acl(const txn& t, const txn_op& o, planned_op& out) {
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

  error_code prep_check(const txn& t, const txn_op& o, planned_op& out) {
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

  // The op's opcode must match its body; a mismatch is a malformed txn.
  error_code prep(const txn& t, const txn_op& o, planned_op& out) {
    out.source = &o;
    switch (o.type) {
    case op::create:
    case op::create2:
    case op::create_container:
    case op::create_ttl:
      if (!std::holds_alternative<jute::create_request>(o.body))
        return error_code::marshalling_error;
      return prep_create(t, o, out);
    case op::remove:
      if (!std::holds_alternative<jute::delete_request>(o.body))
        return error_code::marshalling_error;
      return prep_delete(t, o, out);
    case op::delete_container:
      if (!std::holds_alternative<jute::delete_request>(o.body))
        return error_code::marshalling_error;
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

  // ----- quota usage (store/quota.hpp): DataTree's updateCountBytes / updateQuotaForPath -----
  // The usage of the longest quota'd prefix of `path`, changed in place: no version, mzxid or
  // approximate data size moves, as in ZooKeeper.
  void quota_add(std::string_view path, int64_t bytes_diff, int64_t count_diff) {
    auto prefix = max_quota_prefix(quota_paths, path);
    if (prefix.empty()) return;
    znode* stat = find(quota_stat_path(prefix));
    if (!stat) return;
    auto s = parse_stats_track(stat->data());
    s.count += count_diff;
    s.bytes += bytes_diff;
    stat->set_data(to_string(s));
    // As 3.8, a passed limit is only logged (zookeeper.enforceQuota is off by default).
    if (const znode* limits = find(quota_limit_path(prefix)))
      for (auto& w : quota_warnings(prefix, s, parse_stats_track(limits->data())))
        warnings.push_back(std::move(w));
  }

  // The whole usage of `target`: the node itself and every znode below it.
  void quota_recompute(std::string_view target) {
    znode* stat = find(quota_stat_path(target));
    if (!stat) return;
    stats_track s;
    s.count = 0;
    s.bytes = 0;
    std::vector<const znode*> pending;
    if (const znode* n = find(target); n && !target.empty()) pending.push_back(n);
    while (!pending.empty()) {
      const znode* x = pending.back();
      pending.pop_back();
      ++s.count;
      s.bytes += static_cast<int64_t>(x->data().size());
      if (x->children)
        for (const auto& c : *x->children)
          pending.push_back(c.get());
    }
    stat->set_data(to_string(s));
  }

  // After a snapshot is loaded (DataTree.setupQuota): every zookeeper_limits znode under
  // /zookeeper/quota names a quota; each one's usage is counted afresh.
  void setup_quota() {
    quota_paths.clear();
    std::vector<std::pair<const znode*, std::string>> pending;
    if (const znode* q = find(quota_root)) pending.emplace_back(q, std::string(quota_root));
    std::vector<std::string> targets;
    while (!pending.empty()) {
      auto [n, path] = std::move(pending.back());
      pending.pop_back();
      if (!n->children) {
        auto slash = path.rfind('/');
        if (std::string_view(path).substr(slash + 1) == quota_limit_node)
          if (auto t = quota_target(std::string_view(path).substr(0, slash)))
            targets.emplace_back(*t);
        continue;
      }
      for (const auto& c : *n->children)
        pending.emplace_back(c.get(), path + "/" + std::string(c->name()));
    }
    for (const auto& t : targets) {
      quota_paths.insert(t);
      quota_recompute(t);
    }
  }

  // ----- changing the tree (DataTree's createNode, deleteNode, setData, setACL) -----
  znode* create_node(std::string_view path, std::string_view data, const jute::acl_list& acl,
                     int64_t owner, const txn& t, std::vector<watch_trigger>& triggers) {
    auto last_slash = path.rfind('/');
    znode* parent = find(path.substr(0, last_slash));
    auto child = std::make_unique<znode>(path.substr(last_slash + 1), data);
    child->czxid = child->mzxid = child->pzxid = t.zxid;
    child->ctime = child->mtime = t.time_ms;
    child->ephemeral_owner = owner;
    child->acl = acls.acquire(acl);
    parent->cversion = next_version(parent->cversion);
    parent->pzxid = t.zxid;
    if (!parent->children) parent->children = std::make_unique<child_set>();
    znode* created = child.get();
    parent->children->insert(std::move(child));
    ++nodes;
    data_size += static_cast<int64_t>(utf16_length(path) + data.size());
    switch (ephemeral_type_of(owner)) {
    case ephemeral_type::container: container_paths.emplace(path); break;
    case ephemeral_type::ttl: ttl_paths.emplace(path); break;
    case ephemeral_type::session: ephemerals[owner].emplace(path); break;
    case ephemeral_type::none: break;
    }
    // A quota's limits znode adds the quota; its stats znode starts with the whole usage.
    if (auto target = quota_target(path.substr(0, last_slash))) {
      auto name = path.substr(last_slash + 1);
      if (name == quota_limit_node) quota_paths.emplace(*target);
      if (name == quota_stat_node) quota_recompute(*target);
    }
    quota_add(path, static_cast<int64_t>(data.size()), 1);
    triggers.push_back({std::string(path), event_type::node_created});
    triggers.push_back({parent_for_watch(path), event_type::node_children_changed});
    return created;
  }

  void delete_node(std::string_view path, const txn& t, std::vector<watch_trigger>& triggers) {
    auto last_slash = path.rfind('/');
    znode* parent = find(path.substr(0, last_slash));
    auto it = parent->children->find(path.substr(last_slash + 1));
    std::unique_ptr<znode> node = std::move(parent->children->extract(it).value());
    if (parent->children->empty())
      parent->children.reset(); // most nodes are leaves: keep them small
    parent->pzxid = std::max(parent->pzxid, t.zxid);
    acls.release(node->acl);
    --nodes;
    data_size -= static_cast<int64_t>(utf16_length(path) + node->data().size());
    auto owner = node->ephemeral_owner;
    switch (ephemeral_type_of(owner)) {
    case ephemeral_type::container: container_paths.erase(std::string(path)); break;
    case ephemeral_type::ttl: ttl_paths.erase(std::string(path)); break;
    case ephemeral_type::session:
      if (auto e = ephemerals.find(owner); e != ephemerals.end()) {
        e->second.erase(std::string(path));
        if (e->second.empty()) ephemerals.erase(e);
      }
      break;
    case ephemeral_type::none: break;
    }
    if (path.substr(last_slash + 1) == quota_limit_node)
      if (auto target = quota_target(path.substr(0, last_slash)))
        quota_paths.erase(std::string(*target));
    quota_add(path, -static_cast<int64_t>(node->data().size()), -1);
    triggers.push_back({std::string(path), event_type::node_deleted});
    triggers.push_back({parent_for_watch(path), event_type::node_children_changed});
  }

  op_result execute(const planned_op& p, const txn& t, std::vector<watch_trigger>& triggers) {
    const txn_op& o = *p.source;
    op_result r;
    r.type = o.type;
    switch (o.type) {
    case op::create:
    case op::create2:
    case op::create_container:
    case op::create_ttl: {
      const auto& req = std::get<jute::create_request>(o.body);
      znode* n = create_node(p.path, req.data, p.acl, p.ephemeral_owner, t, triggers);
      r.path = p.path;
      r.stat = stat_of(*n);
      break;
    }
    case op::remove:
    case op::delete_container: delete_node(p.path, t, triggers); break;
    case op::set_data: {
      const auto& req = std::get<jute::set_data_request>(o.body);
      znode* n = find(p.path);
      const int64_t bytes_diff =
          static_cast<int64_t>(req.data.size()) - static_cast<int64_t>(n->data().size());
      data_size += bytes_diff;
      quota_add(p.path, bytes_diff, 0);
      n->set_data(req.data);
      n->mtime = t.time_ms;
      n->mzxid = t.zxid;
      n->version = next_version(n->version);
      r.stat = stat_of(*n);
      triggers.push_back({p.path, event_type::node_data_changed});
      break;
    }
    case op::set_acl: {
      znode* n = find(p.path);
      auto new_ref = acls.acquire(p.acl); // before release: the list may be the same one
      acls.release(n->acl);
      n->acl = new_ref;
      n->aversion = next_version(n->aversion);
      r.stat = stat_of(*n);
      break; // setACL triggers no watch
    }
    case op::check: break;
    }
    return r;
  }

  // ----- txn kinds -----
  apply_result apply_single(const txn& t) {
    apply_result result;
    if (t.ops.size() != 1 || t.ops.front().type != t.type) {
      result.err = error_code::marshalling_error;
      result.results.push_back({op::error, result.err, {}, {}});
      return result;
    }
    planned_op plan;
    if (auto e = prep(t, t.ops.front(), plan); e != error_code::ok) {
      result.err = e;
      result.results.push_back({op::error, e, {}, {}});
      return result;
    }
    result.results.push_back(execute(plan, t, result.triggers));
    return result;
  }

  apply_result apply_multi(const txn& t) {
    apply_result result;
    result.err = multi_reply_err;
    std::vector<planned_op> plans(t.ops.size());
    in_multi = true;
    size_t failed_at = t.ops.size();
    error_code failure = error_code::ok;
    for (size_t i = 0; i < t.ops.size(); ++i) {
      if (auto e = prep(t, t.ops[i], plans[i]); e != error_code::ok) {
        failed_at = i;
        failure = e;
        break;
      }
    }
    in_multi = false;
    overlay.clear();
    if (failed_at < t.ops.size()) {
      // ErrorResult per op: 0 before the failing op, its error, then RuntimeInconsistency.
      for (size_t i = 0; i < t.ops.size(); ++i) {
        error_code e = i < failed_at    ? error_code::ok
                       : i == failed_at ? failure
                                        : error_code::runtime_inconsistency;
        result.results.push_back({op::error, e, {}, {}});
      }
      return result;
    }
    for (const auto& p : plans)
      result.results.push_back(execute(p, t, result.triggers));
    return result;
  }

  apply_result close_session(const txn& t) {
    apply_result result;
    // Sorted paths make the deletion (and trigger) order the same on every server.
    if (auto it = ephemerals.find(t.session_id); it != ephemerals.end()) {
      std::set<std::string> paths = std::move(it->second);
      ephemerals.erase(it);
      for (const auto& path : paths)
        if (find(path)) delete_node(path, t, result.triggers);
    }
    session_timeouts.erase(t.session_id);
    return result;
  }
};

data_tree::impl::impl() : root(std::make_unique<znode>("", "")) {
  // As DataTree's constructor: /zookeeper, /zookeeper/quota and /zookeeper/config are added
  // without touching any cversion (the root shows cversion -1, /zookeeper -2); config is
  // read-only for the world and its setACL leaves aversion -1.
  auto open = acls.acquire(jute::open_acl_unsafe());
  root->acl = open;
  auto add = [&](znode* parent, std::string_view name) {
    auto n = std::make_unique<znode>(name, "");
    n->acl = acls.acquire(jute::open_acl_unsafe());
    znode* raw = n.get();
    if (!parent->children) parent->children = std::make_unique<child_set>();
    parent->children->insert(std::move(n));
    return raw;
  };
  znode* zk = add(root.get(), "zookeeper");
  add(zk, "quota");
  znode* config = add(zk, "config");
  acls.release(config->acl);
  config->acl = acls.acquire(jute::read_acl_unsafe());
  config->aversion = -1;
  nodes = 4;
  // cachedApproximateDataSize starts as approximateDataSize() over the node map, which holds
  // the root under both "" and "/": 0 + 1 + 10 + 16 + 17 = 44.
  data_size =
      static_cast<int64_t>(utf16_length("") + utf16_length("/") + utf16_length("/zookeeper") +
                           utf16_length("/zookeeper/quota") + utf16_length("/zookeeper/config"));
}

data_tree::impl::~impl() {
  // Tear down iteratively: a chain of znodes can be deeper than the stack allows recursion.
  std::vector<std::unique_ptr<znode>> pending;
  pending.push_back(std::move(root));
  while (!pending.empty()) {
    auto n = std::move(pending.back());
    pending.pop_back();
    if (n && n->children) {
      while (!n->children->empty())
        pending.push_back(std::move(n->children->extract(n->children->begin()).value()));
    }
  }
}

data_tree::data_tree() : impl_(std::make_unique<impl>()) {}
data_tree::~data_tree() = default;
data_tree::data_tree(data_tree&&) noexcept = default;
data_tree& data_tree::operator=(data_tree&&) noexcept = default;

apply_result data_tree::apply(const txn& t) {
  apply_result result;
  switch (t.type) {
  case op::create_session:
    // ZKDatabase's sessionsWithTimeouts.put: a repeated createSession just updates it.
    impl_->session_timeouts[t.session_id] = {t.session_timeout_ms, t.session_passwd};
    break;
  case op::close_session: result = impl_->close_session(t); break;
  case op::multi: result = impl_->apply_multi(t); break;
  default:
    if (is_single_write(t.type))
      result = impl_->apply_single(t);
    else
      result.err = error_code::unimplemented;
    break;
  }
  // Every txn consumes its zxid, failed ones too. Never moves back (replay after a fuzzy
  // snapshot may apply older txns), as DataTree.lastProcessedZxid.
  impl_->last_zxid = std::max(impl_->last_zxid, t.zxid);
  result.warnings = std::exchange(impl_->warnings, {});
  return result;
}

error_code data_tree::check_access(std::string_view path, int32_t perms,
                                   std::span<const jute::id> auth) const {
  const znode* n = impl_->find(path);
  if (!n) return error_code::no_node;
  const auto& acl = impl_->acls.get(n->acl);
  // checkACL is asked per permission; READ|ADMIN for getACL means "either one".
  for (int32_t bit = 1; bit <= jute::perms::admin; bit <<= 1)
    if ((perms & bit) && acl_permits(acl, bit, auth)) return error_code::ok;
  return error_code::no_auth;
}

error_code data_tree::exists(std::string_view path, jute::stat& out) const {
  const znode* n = impl_->find(path);
  if (!n) return error_code::no_node;
  out = impl_->stat_of(*n);
  return error_code::ok;
}

error_code data_tree::get_data(std::string_view path, std::string& data, jute::stat& out) const {
  const znode* n = impl_->find(path);
  if (!n) return error_code::no_node;
  data.assign(n->data());
  out = impl_->stat_of(*n);
  return error_code::ok;
}

error_code data_tree::get_children(std::string_view path, std::vector<std::string>& children,
                                   jute::stat* out) const {
  const znode* n = impl_->find(path);
  if (!n) return error_code::no_node;
  children.clear();
  if (n->children) {
    children.reserve(n->children->size());
    for (const auto& c : *n->children)
      children.emplace_back(c->name());
  }
  if (out) *out = impl_->stat_of(*n);
  return error_code::ok;
}

error_code data_tree::get_acl(std::string_view path, jute::acl_list& acls, jute::stat& out) const {
  const znode* n = impl_->find(path);
  if (!n) return error_code::no_node;
  acls = impl_->acls.get(n->acl);
  out = impl_->stat_of(*n);
  return error_code::ok;
}

bool data_tree::zxids(std::string_view path, int64_t& mzxid, int64_t& pzxid) const {
  const znode* n = impl_->find(path);
  if (!n) return false;
  mzxid = n->mzxid;
  pzxid = n->pzxid;
  return true;
}

error_code data_tree::all_children_number(std::string_view path, int32_t& out) const {
  const znode* n = impl_->find(path);
  if (!n) return error_code::no_node;
  // Iterative: a chain of znodes can be deeper than the stack allows recursion.
  int64_t count = 0;
  std::vector<const znode*> pending{n};
  while (!pending.empty()) {
    const znode* x = pending.back();
    pending.pop_back();
    if (!x->children) continue;
    for (const auto& c : *x->children) {
      ++count;
      pending.push_back(c.get());
    }
  }
  out = static_cast<int32_t>(count);
  return error_code::ok;
}

int64_t data_tree::last_zxid() const {
  return impl_->last_zxid;
}
size_t data_tree::node_count() const {
  return impl_->nodes;
}
size_t data_tree::zookeeper_node_count() const {
  return impl_->nodes + 1;
}

size_t data_tree::ephemeral_count() const {
  size_t n = 0;
  for (const auto& [session, paths] : impl_->ephemerals)
    n += paths.size();
  return n;
}

uint64_t data_tree::approximate_data_size() const {
  return static_cast<uint64_t>(impl_->data_size);
}

std::vector<std::string> data_tree::ephemerals_of(int64_t session_id) const {
  auto it = impl_->ephemerals.find(session_id);
  if (it == impl_->ephemerals.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> data_tree::containers() const {
  return {impl_->container_paths.begin(), impl_->container_paths.end()};
}

std::vector<std::string> data_tree::ttl_nodes() const {
  return {impl_->ttl_paths.begin(), impl_->ttl_paths.end()};
}

int64_t data_tree::ttl_of(std::string_view path) const {
  const znode* n = impl_->find(path);
  if (!n || ephemeral_type_of(n->ephemeral_owner) != ephemeral_type::ttl) return 0;
  return ttl_of_owner(n->ephemeral_owner);
}

size_t data_tree::acl_count() const {
  return impl_->acls.size();
}

bool data_tree::has_session(int64_t session_id) const {
  return impl_->session_timeouts.contains(session_id);
}

size_t data_tree::session_count() const {
  return impl_->session_timeouts.size();
}

std::vector<session_entry> data_tree::sessions() const {
  std::vector<session_entry> out;
  out.reserve(impl_->session_timeouts.size());
  for (const auto& [id, entry] : impl_->session_timeouts)
    out.push_back({id, entry.first, entry.second});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

void data_tree::for_each_acl(
    const std::function<void(uint32_t ref, const jute::acl_list&)>& fn) const {
  impl_->acls.for_each(fn);
}

void data_tree::for_each_node(const std::function<void(const znode_image&)>& fn) const {
  // Depth first with an explicit stack (chains of znodes can be deeper than the C++ stack).
  struct frame {
    const znode* node;
    size_t path_length; // the length of `path` for this node
  };
  std::string path;
  std::vector<frame> stack{{impl_->root.get(), 0}};
  while (!stack.empty()) {
    auto [n, length] = stack.back();
    stack.pop_back();
    path.resize(length);
    if (n != impl_->root.get()) {
      path += '/';
      path += n->name();
    }
    znode_image img;
    img.path = path;
    img.data = n->data();
    img.czxid = n->czxid;
    img.mzxid = n->mzxid;
    img.pzxid = n->pzxid;
    img.ctime = n->ctime;
    img.mtime = n->mtime;
    img.ephemeral_owner = n->ephemeral_owner;
    img.version = n->version;
    img.cversion = n->cversion;
    img.aversion = n->aversion;
    img.acl_ref = n->acl;
    img.num_children = static_cast<uint32_t>(n->child_count());
    fn(img);
    if (n->children)
      for (const auto& c : *n->children)
        stack.push_back({c.get(), path.size()});
  }
}

bool data_tree::restore_node(const znode_image& img, const jute::acl_list& acl) {
  auto& t = *impl_;
  znode* n = nullptr;
  if (img.path.empty() || special_path(img.path)) {
    // The root and /zookeeper, /zookeeper/quota, /zookeeper/config exist in every tree.
    n = t.find(img.path);
    t.data_size += static_cast<int64_t>(img.data.size()) - static_cast<int64_t>(n->data().size());
    n->set_data(img.data);
    auto ref = t.acls.acquire(acl);
    t.acls.release(n->acl);
    n->acl = ref;
  } else {
    auto last_slash = img.path.rfind('/');
    if (last_slash == std::string_view::npos) return false;
    // Snapshots list a parent's children one after another: look the parent up once.
    auto parent_path = img.path.substr(0, last_slash);
    if (!t.restore_parent || t.restore_parent_path != parent_path) {
      t.restore_parent = t.find(parent_path);
      t.restore_parent_path = parent_path;
    }
    znode* parent = t.restore_parent;
    if (!parent) return false;
    auto child = std::make_unique<znode>(img.path.substr(last_slash + 1), img.data);
    n = child.get();
    if (!parent->children) parent->children = std::make_unique<child_set>();
    if (!parent->children->insert(std::move(child)).second) return false; // a duplicate
    ++t.nodes;
    t.data_size += static_cast<int64_t>(utf16_length(img.path) + img.data.size());
    n->acl = t.acls.acquire(acl);
    switch (ephemeral_type_of(img.ephemeral_owner)) {
    case ephemeral_type::container: t.container_paths.emplace(img.path); break;
    case ephemeral_type::ttl: t.ttl_paths.emplace(img.path); break;
    case ephemeral_type::session: t.ephemerals[img.ephemeral_owner].emplace(img.path); break;
    case ephemeral_type::none: break;
    }
  }
  if (img.num_children > 0) {
    if (!n->children) n->children = std::make_unique<child_set>();
    n->children->reserve(img.num_children); // one allocation instead of a rehash per doubling
  }
  n->czxid = img.czxid;
  n->mzxid = img.mzxid;
  n->pzxid = img.pzxid;
  n->ctime = img.ctime;
  n->mtime = img.mtime;
  n->ephemeral_owner = img.ephemeral_owner;
  n->version = img.version;
  n->cversion = img.cversion;
  n->aversion = img.aversion;
  return true;
}

void data_tree::restore_session(const session_entry& s) {
  impl_->session_timeouts[s.id] = {s.timeout_ms, s.passwd};
}

void data_tree::restore_last_zxid(int64_t zxid) {
  impl_->last_zxid = zxid;
  impl_->restore_parent = nullptr; // restoring is over; the cache must not outlive it
  impl_->restore_parent_path.clear();
  impl_->setup_quota();
}

} // namespace paddock::store
