#include "store/zookeeper/zk_tree.hpp"

#include "protocol/jute/error_code.hpp"
#include "protocol/jute/jute_reader.hpp"
#include "protocol/jute/opcodes.hpp"
#include "store/tree/create_mode.hpp"
#include "store/zookeeper/zk_digest.hpp"
#include "store/zookeeper/zk_records.hpp"

#include <fmt/format.h>
#include <vector>

namespace paddock::store::zookeeper {

namespace op = jute::opcode;

zk_node* zk_tree::find(std::string_view path) {
  auto it = nodes.find(std::string(path));
  return it == nodes.end() ? nullptr : &it->second;
}

bool is_session_owner(int64_t owner) {
  return ephemeral_type_of(owner) == ephemeral_type::session;
}

void zk_tree::index() {
  ephemerals.clear();
  for (const auto& [path, n] : nodes)
    if (is_session_owner(n.stat.ephemeral_owner)) ephemerals[n.stat.ephemeral_owner].insert(path);
  digest = tree_digest(*this);
}

namespace {

// The digest moves with every change of a znode: its old contribution out, the new one in
// (ZooKeeper's NodeHashMap preChange / postChange).
void unhash(zk_tree& t, const std::string& path, const zk_node& n) {
  t.digest = static_cast<int64_t>(
      static_cast<uint64_t>(t.digest) -
      static_cast<uint64_t>(node_digest(path, n.data, n.data_is_null, n.stat)));
}
void hash(zk_tree& t, const std::string& path, const zk_node& n) {
  t.digest = static_cast<int64_t>(
      static_cast<uint64_t>(t.digest) +
      static_cast<uint64_t>(node_digest(path, n.data, n.data_is_null, n.stat)));
}

// The outcome of one operation on the tree: ZooKeeper's KeeperException codes.
enum class outcome { ok, no_node, node_exists };

std::pair<std::string, std::string> split_path(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

// DataTree.createNode. On NodeExists the existing znode still takes the txn's ACL, as
// ZooKeeper's code does before it throws.
outcome create_node(zk_tree& t, const std::string& path, std::string data, bool data_is_null,
                    jute::acl_list acl, int64_t owner, int32_t parent_cversion, int64_t zxid,
                    int64_t time) {
  auto [parent_path, name] = split_path(path);
  zk_node* parent = t.find(parent_path);
  if (!parent) return outcome::no_node;
  if (zk_node* existing = t.find(path)) {
    existing->acl = std::move(acl);
    return outcome::node_exists;
  }
  unhash(t, parent_path, *parent);
  if (parent_cversion == -1) parent_cversion = parent->stat.cversion + 1;
  if (parent_cversion > parent->stat.cversion) {
    parent->stat.cversion = parent_cversion;
    parent->stat.pzxid = zxid;
  }
  parent->children.insert(name);
  hash(t, parent_path, *parent);
  zk_node child;
  child.data = std::move(data);
  child.data_is_null = data_is_null;
  child.acl = std::move(acl);
  child.stat = {.czxid = zxid,
                .mzxid = zxid,
                .ctime = time,
                .mtime = time,
                .ephemeral_owner = owner,
                .pzxid = zxid};
  hash(t, path, child);
  if (is_session_owner(owner)) t.ephemerals[owner].insert(path);
  t.nodes.emplace(path, std::move(child));
  return outcome::ok;
}

// DataTree.deleteNode: the parent loses the child name (and takes the zxid as pzxid) before
// the node itself is looked up, as in ZooKeeper.
outcome delete_node(zk_tree& t, const std::string& path, int64_t zxid) {
  auto [parent_path, name] = split_path(path);
  zk_node* parent = t.find(parent_path);
  if (!parent) return outcome::no_node;
  unhash(t, parent_path, *parent);
  parent->children.erase(name);
  if (zxid > parent->stat.pzxid) parent->stat.pzxid = zxid;
  hash(t, parent_path, *parent);
  auto it = t.nodes.find(path);
  if (it == t.nodes.end()) return outcome::no_node;
  unhash(t, path, it->second);
  if (auto owner = it->second.stat.ephemeral_owner; is_session_owner(owner)) {
    auto e = t.ephemerals.find(owner);
    if (e != t.ephemerals.end()) {
      e->second.erase(path);
      if (e->second.empty()) t.ephemerals.erase(e);
    }
  }
  t.nodes.erase(it);
  return outcome::ok;
}

outcome set_data(zk_tree& t, const std::string& path, std::string data, bool data_is_null,
                 int32_t version, int64_t zxid, int64_t time) {
  zk_node* n = t.find(path);
  if (!n) return outcome::no_node;
  unhash(t, path, *n);
  n->data = std::move(data);
  n->data_is_null = data_is_null;
  n->stat.mtime = time;
  n->stat.mzxid = zxid;
  n->stat.version = version;
  hash(t, path, *n);
  return outcome::ok;
}

outcome set_acl(zk_tree& t, const std::string& path, jute::acl_list acl, int32_t version) {
  zk_node* n = t.find(path);
  if (!n) return outcome::no_node;
  unhash(t, path, *n);
  n->acl = std::move(acl);
  n->stat.aversion = version;
  hash(t, path, *n);
  return outcome::ok;
}

// DataTree.setCversionPzxid: after a replayed create found its node already there (the
// snapshot was fuzzy), the parent still takes the create's cversion and zxid.
void set_cversion_pzxid(zk_tree& t, const std::string& path, int32_t cversion, int64_t zxid) {
  zk_node* n = t.find(path);
  if (!n) return;
  if (cversion == -1) cversion = n->stat.cversion + 1;
  if (cversion > n->stat.cversion) {
    unhash(t, path, *n);
    n->stat.cversion = cversion;
    n->stat.pzxid = zxid;
    hash(t, path, *n);
  }
}

// killSession: the paths the closeSession txn names, then whatever ephemerals of the session
// are left.
void kill_session(zk_tree& t, int64_t session, const std::vector<std::string>& paths,
                  int64_t zxid) {
  for (const auto& p : paths)
    (void)delete_node(t, p, zxid);
  auto left = t.ephemerals.find(session);
  if (left == t.ephemerals.end()) return;
  auto rest = std::move(left->second);
  t.ephemerals.erase(left);
  for (const auto& p : rest)
    (void)delete_node(t, p, zxid);
}

// One txn (or one op of a multi) on the tree, decoded from `r`.
bool apply_one(zk_tree& t, const txn_header& h, jute::reader& r, std::string& error) {
  auto bad = [&](std::string_view what) {
    error = fmt::format("zxid 0x{:x}: cannot decode {} txn (type {})", h.zxid, what, h.type);
    return false;
  };
  switch (h.type) {
  case op::create:
  case op::create2:
  case op::create_ttl:
  case op::create_container: {
    create_txn c;
    if (!read_create_txn(r, h.type, c)) return bad("create");
    int64_t owner = 0;
    if (h.type == op::create_ttl)
      owner = ttl_ephemeral_owner(c.ttl);
    else if (h.type == op::create_container)
      owner = container_ephemeral_owner;
    else if (c.ephemeral)
      owner = h.client_id;
    auto rc = create_node(t, c.path, std::move(c.data), c.data_is_null, std::move(c.acl), owner,
                          c.parent_cversion, h.zxid, h.time);
    // Only a plain create adjusts the parent when the node exists: ZooKeeper's check is on
    // OpCode.create alone.
    if (rc == outcome::node_exists && h.type == op::create)
      set_cversion_pzxid(t, split_path(c.path).first, c.parent_cversion, h.zxid);
    return true;
  }
  case op::remove:
  case op::delete_container: {
    auto path = r.read_string();
    if (!r.ok()) return bad("delete");
    (void)delete_node(t, path, h.zxid);
    return true;
  }
  case op::set_data:
  case op::reconfig: {
    bool null = false;
    auto path = r.read_string();
    auto data = r.read_buffer(&null);
    auto version = r.read_int();
    if (!r.ok()) return bad("setData");
    (void)set_data(t, path, std::move(data), null, version, h.zxid, h.time);
    return true;
  }
  case op::set_acl: {
    auto path = r.read_string();
    auto acl = read_acl_list(r);
    auto version = r.read_int();
    if (!r.ok()) return bad("setACL");
    (void)set_acl(t, path, std::move(acl), version);
    return true;
  }
  case op::create_session: {
    auto timeout = r.read_int();
    if (!r.ok()) return bad("createSession");
    t.sessions[h.client_id] = timeout;
    return true;
  }
  case op::close_session: {
    // 3.6+ names the ephemerals to delete; older logs have an empty body.
    std::vector<std::string> paths;
    if (!r.at_end()) {
      auto n = r.read_count(4);
      for (int32_t i = 0; i < n && r.ok(); ++i)
        paths.push_back(r.read_string());
      if (!r.ok()) return bad("closeSession");
    }
    t.sessions.erase(h.client_id);
    kill_session(t, h.client_id, paths, h.zxid);
    return true;
  }
  case op::error:
  case op::check: return true; // no change to the tree
  case op::multi: {
    struct sub {
      int32_t type;
      std::string data;
    };
    std::vector<sub> subs;
    auto n = r.read_count(8);
    for (int32_t i = 0; i < n && r.ok(); ++i) {
      sub s;
      s.type = r.read_int();
      s.data = r.read_buffer();
      subs.push_back(std::move(s));
    }
    if (!r.ok()) return bad("multi");
    // A multi with a failed op was logged whole, every op an error: nothing changes.
    for (const auto& s : subs)
      if (s.type == op::error) return true;
    for (const auto& s : subs) {
      switch (s.type) {
      case op::create:
      case op::create2:
      case op::create_ttl:
      case op::create_container:
      case op::remove:
      case op::delete_container:
      case op::set_data:
      case op::check: break;
      default:
        error = fmt::format("zxid 0x{:x}: invalid op type {} in a multi", h.zxid, s.type);
        return false;
      }
      txn_header sh = h;
      sh.type = s.type;
      jute::reader sr(s.data);
      if (!apply_one(t, sh, sr, error)) return false;
    }
    return true;
  }
  default:
    error = fmt::format("zxid 0x{:x}: unsupported txn type {}", h.zxid, h.type);
    return false;
  }
}

} // namespace

bool apply_txn(zk_tree& tree, const txn_header& hdr, std::string_view body, std::string& error,
               std::optional<txn_digest>* logged) {
  jute::reader r(body);
  if (!apply_one(tree, hdr, r, error)) return false;
  if (logged) {
    logged->reset();
    if (r.remaining() >= 12) {
      txn_digest d;
      d.version = r.read_int();
      d.digest = r.read_long();
      *logged = d;
    }
  }
  if (hdr.zxid > tree.last_zxid) tree.last_zxid = hdr.zxid;
  return true;
}

} // namespace paddock::store::zookeeper
