// The change a validated txn makes, as DataTree's createNode, deleteNode, setData and
// setACL make it, and the txn kinds around it: a single op, a multi (all its ops checked
// first; a failure anywhere changes nothing), closeSession (the session's ephemerals go).
#include "protocol/jute/opcodes.hpp"
#include "store/tree/data_tree_impl.hpp"
#include "store/tree/path.hpp"
#include "store/tree/quota.hpp"

#include <algorithm>
#include <cstdio>
#include <variant>

namespace paddock::store {
namespace {

namespace op = jute::opcode;
using data_tree_detail::next_version;
using jute::event_type;

// ZooKeeper triggers a child watch on the parent path, with "" spelled "/".
std::string parent_for_watch(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == 0 ? std::string("/") : std::string(path.substr(0, slash));
}

} // namespace

znode* data_tree::impl::create_node(std::string_view path, const jute::create_request& req,
                                    const jute::acl_list& acl, int64_t owner, const txn& t,
                                    std::vector<watch_trigger>& triggers) {
  const std::string_view data = req.data;
  auto last_slash = path.rfind('/');
  const auto parent_path = path.substr(0, last_slash);
  znode* parent = find(parent_path);
  auto child = std::make_unique<znode>(path.substr(last_slash + 1), data, req.data_is_null);
  child->czxid = child->mzxid = child->pzxid = t.zxid;
  child->ctime = child->mtime = t.time_ms;
  child->ephemeral_owner = owner;
  child->acl = acls.acquire(acl);
  before_change(*parent);
  digest_restat(parent_path, *parent, [&] {
    parent->cversion = next_version(parent->cversion);
    parent->pzxid = t.zxid;
  });
  if (!parent->children) parent->children = std::make_unique<child_set>();
  znode* created = child.get();
  parent->children->insert(std::move(child));
  digest_in(path, *created);
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
  triggers.push_back({std::string(path), event_type::node_created, acls.event_acl(created->acl)});
  triggers.push_back(
      {parent_for_watch(path), event_type::node_children_changed, acls.event_acl(parent->acl)});
  return created;
}

void data_tree::impl::delete_node(std::string_view path, const txn& t,
                                  std::vector<watch_trigger>& triggers) {
  auto last_slash = path.rfind('/');
  const auto parent_path = path.substr(0, last_slash);
  znode* parent = find(parent_path);
  auto it = parent->children->find(path.substr(last_slash + 1));
  before_change(*parent);
  before_delete(**it, *parent);
  digest_out(path, **it);
  std::unique_ptr<znode> node;
  digest_restat(parent_path, *parent, [&] {
    node = std::move(parent->children->extract(it).value());
    if (parent->children->empty()) parent->children.reset(); // most nodes are leaves: small
    parent->pzxid = std::max(parent->pzxid, t.zxid);
  });
  auto deleted_acl = acls.event_acl(node->acl); // the ACL the node had, for NodeDeleted
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
  triggers.push_back({std::string(path), event_type::node_deleted, std::move(deleted_acl)});
  triggers.push_back(
      {parent_for_watch(path), event_type::node_children_changed, acls.event_acl(parent->acl)});
}

op_result data_tree::impl::execute(const planned_op& p, const txn& t,
                                   std::vector<watch_trigger>& triggers) {
  const txn_op& o = *p.source;
  op_result r;
  r.type = o.type;
  switch (o.type) {
  case op::create:
  case op::create2:
  case op::create_container:
  case op::create_ttl: {
    const auto& req = std::get<jute::create_request>(o.body);
    znode* n = create_node(p.path, req, p.acl, p.ephemeral_owner, t, triggers);
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
    before_change(*n);
    digest_out(p.path, *n);
    n->set_data(req.data, req.data_is_null);
    n->mtime = t.time_ms;
    n->mzxid = t.zxid;
    n->version = next_version(n->version);
    digest_in(p.path, *n);
    r.stat = stat_of(*n);
    triggers.push_back({p.path, event_type::node_data_changed, acls.event_acl(n->acl)});
    break;
  }
  case op::set_acl: {
    znode* n = find(p.path);
    auto new_ref = acls.acquire(p.acl); // before release: the list may be the same one
    before_change(*n);
    digest_restat(p.path, *n, [&] {
      acls.release(n->acl);
      n->acl = new_ref;
      n->aversion = next_version(n->aversion);
    });
    r.stat = stat_of(*n);
    break; // setACL triggers no watch
  }
  case op::check: break;
  }
  return r;
}

apply_result data_tree::impl::apply_single(const txn& t) {
  apply_result result;
  if (t.ops.size() != 1 || t.ops.front().type != t.type) {
    result.err = error_code::marshalling_error;
    result.results.push_back({op::error, result.err, {}, {}, {}});
    return result;
  }
  planned_op plan;
  if (auto e = prep(t, t.ops.front(), plan); e != error_code::ok) {
    result.err = e;
    result.results.push_back({op::error, e, {}, {}, {}});
    return result;
  }
  result.results.push_back(execute(plan, t, result.triggers));
  return result;
}

apply_result data_tree::impl::apply_multi(const txn& t) {
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
      result.results.push_back({op::error, e, {}, {}, {}});
    }
    return result;
  }
  for (const auto& p : plans)
    result.results.push_back(execute(p, t, result.triggers));
  return result;
}

apply_result data_tree::impl::close_session(const txn& t) {
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

} // namespace paddock::store

namespace paddock::store {

namespace {
// Java's Long.toHexString, as ZooKeeper prints a configuration's version.
std::string hex_zxid(int64_t z) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(z));
  return buf;
}
} // namespace

// A committed reconfig: its set_data carries the new server lines; the version line is the
// txn's own zxid, which the leader learns only when it stamps the txn. The leader checked the
// caller's right (WRITE on /zookeeper/config) before proposing, as ZooKeeper's
// PrepRequestProcessor does, so nothing here can refuse it: every server must activate the
// configuration the txn carries.
apply_result data_tree::impl::apply_config(const txn& t) {
  apply_result result;
  const auto* req =
      t.ops.size() == 1 ? std::get_if<jute::set_data_request>(&t.ops.front().body) : nullptr;
  if (!req) {
    result.err = error_code::marshalling_error;
    return result;
  }
  std::string data = req->data;
  data += "\nversion=";
  data += hex_zxid(t.zxid);
  op_result r;
  r.type = t.type;
  znode* n = set_config(data, t.zxid, t.time_ms, result.triggers);
  r.stat = stat_of(*n);
  r.data = std::move(data);
  result.results.push_back(std::move(r));
  return result;
}

void data_tree::impl::forget_config() {
  znode* n = find(data_tree::config_node);
  if (!n) return;
  before_change(*n);
  digest_out(data_tree::config_node, *n); // counts 0 (under /zookeeper/), kept for uniformity
  data_size -= static_cast<int64_t>(n->data().size());
  n->set_data({});
  n->mzxid = 0;
  n->mtime = 0;
  n->version = 0;
  digest_in(data_tree::config_node, *n);
}

znode* data_tree::impl::set_config(std::string_view data, int64_t zxid, int64_t time_ms,
                                   std::vector<watch_trigger>& triggers) {
  znode* n = find(data_tree::config_node);
  before_change(*n);
  digest_out(data_tree::config_node, *n); // counts 0 (under /zookeeper/), kept for uniformity
  data_size += static_cast<int64_t>(data.size()) - static_cast<int64_t>(n->data().size());
  n->set_data(data);
  n->mtime = time_ms;
  n->mzxid = zxid;
  n->version = -1; // ZooKeeper's DataTree.setData(path, data, -1, ...) as it sets the config
  digest_in(data_tree::config_node, *n);
  triggers.push_back(
      {std::string(data_tree::config_node), event_type::node_data_changed, acls.event_acl(n->acl)});
  return n;
}

} // namespace paddock::store
