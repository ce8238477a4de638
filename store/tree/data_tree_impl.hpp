#pragma once
// The data tree's private state (data_tree::impl), shared by the files that implement it.
// Internal to store/tree: nothing outside data_tree*.cpp includes this. Each phase of a txn
// has its own file:
//   data_tree_checks.cpp  validation in PrepRequestProcessor's order (versions, ACLs, paths,
//                         sessions, ephemeral parents), against a multi's scratch overlay
//   data_tree_apply.cpp   the change as DataTree makes it, per txn kind (single, multi and its
//                         rollback, closeSession)
//   data_tree_quota.cpp   quota usage kept in the stats znodes, and its recount after a load
//   data_tree_image.cpp   the snapshot image: every node and ACL out, and back in
//   data_tree_snapshot.cpp  the copy-on-write snapshot: images saved before a change, and
//                         the walk that yields the tree as it was when the snapshot began
//   data_tree_digest.cpp  the tree digest's switch, a znode's term, the recompute
//   data_tree.cpp         the public facade: apply's dispatch, reads and counters
// Lookups every phase needs on its hot path (find, stat_of) are defined here, inline.
#include "store/tree/acl_table.hpp"
#include "store/tree/cow_snapshot.hpp"
#include "store/tree/create_mode.hpp"
#include "store/tree/data_tree.hpp"
#include "store/tree/tree_digest.hpp"
#include "store/tree/znode.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace paddock::store {
namespace data_tree_detail {

// Nodes that can never be deleted (DataTree.isSpecialPath).
inline bool special_path(std::string_view path) {
  return path == "/" || path == "/zookeeper" || path == "/zookeeper/quota" ||
         path == "/zookeeper/config";
}

// Versions wrap like a Java int (3.8.0's checkAndIncVersion is a plain + 1).
inline int32_t next_version(int32_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(v) + 1U);
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

// A live znode's image, its path left empty and its data a view of the znode's bytes (for
// the whole-tree walk and the copy-on-write snapshot's walk alike).
znode_image image_of(const znode& n);

} // namespace data_tree_detail

struct data_tree::impl {
  using record = data_tree_detail::record;
  using planned_op = data_tree_detail::planned_op;

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
  // The tree digest (tree_digest.hpp), a wrapping sum kept by digest_out / digest_in around
  // every change of a znode; only while digest_on (fixed when the tree is made).
  bool digest_on = true;
  uint64_t digest = 0;
  int64_t data_size = 0;

  // restore_node's last parent (snapshots list siblings together).
  std::string restore_parent_path;
  znode* restore_parent = nullptr;

  // A multi's pending changes by path; empty and unused for single ops.
  std::map<std::string, std::pair<record, jute::acl_list>, std::less<>> overlay;
  bool in_multi = false;

  // The snapshot in progress (data_tree::begin_snapshot), or null.
  std::unique_ptr<cow_snapshot> snapshot;

  impl();
  ~impl();

  // ----- copy-on-write for a snapshot in progress: data_tree_snapshot.cpp -----
  // Every change to a znode calls one of these first: the znode's image at S is saved once.
  void before_change(const znode& n) {
    if (snapshot) [[unlikely]]
      save_for_snapshot(n);
  }
  void before_delete(const znode& n, const znode& parent) {
    if (snapshot) [[unlikely]]
      save_deleted_for_snapshot(n, parent);
  }
  void save_for_snapshot(const znode& n);
  void save_deleted_for_snapshot(const znode& n, const znode& parent);

  // ----- the tree digest: data_tree_digest.cpp -----
  // A change to the znode at `path` (full path, "" for the root) is wrapped in these: its
  // old term out before, its new term in after (a created znode only in, a deleted one out).
  void digest_out(std::string_view path, const znode& n) {
    if (digest_on) digest -= static_cast<uint64_t>(node_term(path, n));
  }
  void digest_in(std::string_view path, const znode& n) {
    if (digest_on) digest += static_cast<uint64_t>(node_term(path, n));
  }
  // A change of `n`'s Stat alone (`change` leaves its data as it is): the old and the new term
  // share one CRC pass over the path and the data (tree_digest.hpp, node_digest_prefix).
  template <class Change> void digest_restat(std::string_view path, znode& n, Change&& change) {
    if (!digest_on) {
      change();
      return;
    }
    const auto prefix = node_prefix(path, n);
    digest -= static_cast<uint64_t>(node_term(prefix, n));
    change();
    digest += static_cast<uint64_t>(node_term(prefix, n));
  }
  static int64_t node_term(std::string_view path, const znode& n);
  static node_digest_prefix node_prefix(std::string_view path, const znode& n);
  static int64_t node_term(const node_digest_prefix& prefix, const znode& n);
  // From scratch: a new tree, the end of a restore.
  void recompute_digest(const data_tree& tree);

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

  // ----- the view validation reads (ZooKeeper's getRecordForPath): data_tree_checks.cpp -----
  std::optional<record> get_record(std::string_view path) const;
  void put_record(std::string_view path, record r, jute::acl_list* own_acl = nullptr);

  // ----- validation, one function per op, checks in PrepRequestProcessor's order -----
  error_code check_session(const txn& t) const;
  apply_result apply_config(const txn& t);
  void forget_config(); // data_tree::forget_config_node
  znode* set_config(std::string_view data, int64_t zxid, int64_t time_ms,
                    std::vector<watch_trigger>& triggers);
  error_code prep_create(const txn& t, const txn_op& o, planned_op& out);
  error_code prep_delete(const txn& t, const txn_op& o, planned_op& out);
  error_code prep_delete_container(const txn& t, const txn_op& o, planned_op& out);
  error_code prep_set_data(const txn& t, const txn_op& o, planned_op& out);
  error_code prep_set_acl(const txn& t, const txn_op& o, planned_op& out);
  error_code prep_check(const txn& t, const txn_op& o, planned_op& out);
  // The op's opcode must match its body; a mismatch is a malformed txn.
  error_code prep(const txn& t, const txn_op& o, planned_op& out);

  // ----- quota usage (store/tree/quota.hpp): data_tree_quota.cpp -----
  void quota_add(std::string_view path, int64_t bytes_diff, int64_t count_diff);
  void quota_recompute(std::string_view target);
  void setup_quota();

  // ----- changing the tree (DataTree's createNode, deleteNode, ...): data_tree_apply.cpp -----
  znode* create_node(std::string_view path, const jute::create_request& req,
                     const jute::acl_list& acl, int64_t owner, const txn& t,
                     std::vector<watch_trigger>& triggers);
  void delete_node(std::string_view path, const txn& t, std::vector<watch_trigger>& triggers);
  op_result execute(const planned_op& p, const txn& t, std::vector<watch_trigger>& triggers);

  // ----- txn kinds: data_tree_apply.cpp -----
  apply_result apply_single(const txn& t);
  apply_result apply_multi(const txn& t);
  apply_result close_session(const txn& t);
};

} // namespace paddock::store
