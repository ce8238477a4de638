// The data tree's public face: apply's dispatch by txn kind, the reads and the counters. The
// phases of a write live beside it (data_tree_impl.hpp lists them): the checks in
// PrepRequestProcessor's order against a view of the tree (with a multi's earlier ops applied
// to a scratch overlay), then the change as DataTree makes it.
#include "store/tree/data_tree.hpp"

#include "protocol/jute/opcodes.hpp"
#include "store/tree/acl.hpp"
#include "store/tree/create_mode.hpp"
#include "store/tree/data_tree_impl.hpp"
#include "store/tree/path.hpp"

#include <algorithm>
#include <utility>

namespace paddock::store {
namespace {

namespace op = jute::opcode;

} // namespace

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

data_tree::data_tree() : impl_(std::make_unique<impl>()) {
  impl_->recompute_digest(*this);
}
data_tree::~data_tree() = default;
data_tree::data_tree(data_tree&&) noexcept = default;
data_tree& data_tree::operator=(data_tree&&) noexcept = default;

apply_result data_tree::apply(const txn& t) {
  apply_result result;
  if (t.refused != error_code::ok) {
    // The leader's ErrorTxn: nothing changes; the origin learns why.
    result.err = t.refused;
    impl_->last_zxid = std::max(impl_->last_zxid, t.zxid);
    return result;
  }
  switch (t.type) {
  case op::reconfig: result = impl_->apply_config(t); break;
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

std::vector<watch_trigger> data_tree::set_config_node(std::string_view data, int64_t version,
                                                      int64_t time_ms) {
  std::vector<watch_trigger> triggers;
  impl_->set_config(data, version, time_ms, triggers);
  return triggers;
}

void data_tree::forget_config_node() {
  impl_->forget_config();
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

error_code data_tree::get_data(std::string_view path, std::string& data, jute::stat& out,
                               bool* data_is_null) const {
  const znode* n = impl_->find(path);
  if (!n) return error_code::no_node;
  data.assign(n->data());
  if (data_is_null) *data_is_null = n->data_is_null();
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

} // namespace paddock::store
