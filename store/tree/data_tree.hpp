#pragma once
// The znode tree: the replicated state machine. It knows nothing of sockets, actors or
// consensus. apply(txn) is the only way it changes and is deterministic; reads are const.
//
// Facts kept exactly as ZooKeeper 3.8 (checked against the real server):
// - the stored cversion counts child creations; clients see 2 * cversion - numChildren;
// - a sequential name's suffix is the parent's stored cversion before the create, %010d;
// - every write consumes its zxid, failed ones too (they still bump nothing in the tree);
// - a failed multi changes nothing and reports [ok..., error, runtime_inconsistency...];
// - null data (a -1 length from the client) stays null, apart from empty data, and has a
//   dataLength of 0.
// apply() decides outcomes as PrepRequestProcessor does (checks in its order, so the same
// error wins) and then changes the tree as DataTree.processTxn does.
#include "protocol/jute/data_records.hpp"
#include "store/tree/txn.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::store {

// The ReplyHeader err of a multi. ZooKeeper 3.8.0 answers a multi with err 0 whether or not
// an op failed (measured with a raw client): the failure is only in the per-op results.
inline constexpr error_code multi_reply_err = error_code::ok;

// A session as the tree knows it (ZooKeeper's sessionsWithTimeouts, plus the password).
struct session_entry {
  int64_t id = 0;
  int32_t timeout_ms = 0;
  std::string passwd;
  friend bool operator==(const session_entry&, const session_entry&) = default;
};

// A znode as a snapshot holds it: ZooKeeper's StatPersisted (cversion as stored: it counts
// child creations), the data, and a reference to its ACL list.
struct znode_image {
  std::string_view path; // "" for the root
  std::string_view data;
  bool data_is_null = false; // null data (see znode::data_is_null); `data` is empty then
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t pzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int64_t ephemeral_owner = 0; // as stored: session id, or the container / TTL encodings
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  uint32_t acl_ref = 0;      // for_each_node: the reference for_each_acl reported for its list
  uint32_t num_children = 0; // a hint for restore_node: the child table is sized once
};

class data_tree {
public:
  data_tree(); // holds "/", "/zookeeper", "/zookeeper/quota" and "/zookeeper/config"
  ~data_tree();
  data_tree(data_tree&&) noexcept;
  data_tree& operator=(data_tree&&) noexcept;

  apply_result apply(const txn& t);

  // /zookeeper/config: the ensemble's configuration as ZooKeeper keeps it there (server.N
  // lines, then "version=<hex>"). A reconfig txn sets it through apply(); this sets it outside
  // any txn, as ZooKeeper's initConfigInZKDatabase does when a server activates a
  // configuration it learned otherwise (the first leader's stamp, a newer one from a peer).
  // Like every write of it, Stat.version is -1 afterwards and mzxid the configuration's
  // version. Returns the NodeDataChanged trigger for its watchers.
  std::vector<watch_trigger> set_config_node(std::string_view data, int64_t version,
                                             int64_t time_ms);
  static constexpr std::string_view config_node = "/zookeeper/config";
  // /zookeeper/config as a fresh tree holds it (no data, version 0, mzxid and mtime 0; its ACL
  // stays): what data taken from other servers (a restored backup, a ZooKeeper import) must
  // hold, so that a restart never takes their membership for this ensemble's (a restarted
  // server trusts only a node a reconfig or an activation wrote: version -1).
  void forget_config_node();

  // Reads. Each returns no_node when the path does not exist. As ZooKeeper's node map, ""
  // names the root too; no other spelling (trailing slash, "//", ...) finds a node.
  error_code exists(std::string_view path, jute::stat& out) const;
  // `data_is_null`, when given, reports null data (created or set with a -1 length), which
  // getData must answer with -1; `data` is empty then.
  error_code get_data(std::string_view path, std::string& data, jute::stat& out,
                      bool* data_is_null = nullptr) const;
  error_code get_children(std::string_view path, std::vector<std::string>& children,
                          jute::stat* out) const;
  error_code get_acl(std::string_view path, jute::acl_list& acls, jute::stat& out) const;

  // ZooKeeper's checkACL for a read: ok when `auth` holds any of `perms` on the node,
  // no_node when it does not exist, no_auth otherwise. `perms` is a bit mask: any bit will do.
  error_code check_access(std::string_view path, int32_t perms,
                          std::span<const jute::id> auth) const;

  // mzxid and pzxid of a node, for setWatches' "changed since relativeZxid" checks.
  // Returns false when the node does not exist.
  bool zxids(std::string_view path, int64_t& mzxid, int64_t& pzxid) const;

  // ZooKeeper's getAllChildrenNumber: how many znodes lie below `path` (all descendants, the
  // node itself not counted). no_node when it does not exist.
  error_code all_children_number(std::string_view path, int32_t& out) const;

  int64_t last_zxid() const;
  // ZooKeeper's tree digest (store/tree/tree_digest.hpp) of the tree as it is now, after
  // last_zxid(): kept incrementally by every change apply() makes, recomputed from scratch
  // when a snapshot is restored. Nothing when digests are off.
  std::optional<int64_t> digest() const;
  // Whether trees keep the digest, process-wide like ZooKeeper's zookeeper.digest.enabled
  // (zoo.cfg digest.enabled, default true). A tree decides once, when it is made: the server
  // sets this before it recovers its first tree.
  static void set_digest_enabled(bool on);
  static bool digest_enabled();
  size_t node_count() const; // znodes in the tree, the root included: 4 in a fresh tree
  // ZooKeeper's getNodeCount() (mntr zk_znode_count): its node map holds the root twice,
  // under "" and "/", so a fresh server reports 5. node_count() + 1.
  size_t zookeeper_node_count() const;
  size_t ephemeral_count() const; // all ephemeral znodes of all sessions
  // ZooKeeper's cachedApproximateDataSize() (mntr zk_approximate_data_size): path length in
  // UTF-16 units plus data length, per node; 44 in a fresh tree (the root counted as "" and
  // "/"), then kept up to date by create / delete / setData.
  uint64_t approximate_data_size() const;
  std::vector<std::string> ephemerals_of(int64_t session_id) const;
  // Paths of container and TTL znodes (for the container / TTL reaper), sorted.
  std::vector<std::string> containers() const;
  std::vector<std::string> ttl_nodes() const;
  // The TTL of a TTL znode in ms, or 0 when `path` is not a TTL znode.
  int64_t ttl_of(std::string_view path) const;
  size_t acl_count() const; // distinct ACL lists stored (ZooKeeper's aclCacheSize)

  // Sessions known to the tree (created by create_session txns, gone with close_session).
  bool has_session(int64_t session_id) const;
  size_t session_count() const;
  // Every known session, sorted by id: what a restarted leader rebuilds its session
  // tracker from.
  std::vector<session_entry> sessions() const;

  // ----- snapshots (store/snapshot): the whole state out, and back in -----
  void for_each_acl(const std::function<void(uint32_t ref, const jute::acl_list&)>& fn) const;
  // Every znode, a parent before its children, the root first.
  void for_each_node(const std::function<void(const znode_image&)>& fn) const;
  // Restoring into a fresh tree: nodes parent-first. The root and the /zookeeper nodes are
  // overwritten in place. Returns false when the parent does not exist or the node does.
  bool restore_node(const znode_image& n, const jute::acl_list& acl);
  void restore_session(const session_entry& s);
  // The end of a restore: also rebuilds the quota table and recounts every quota's usage
  // (ZooKeeper's setupQuota), as the stats znodes in a snapshot may be stale.
  void restore_last_zxid(int64_t zxid);

  // ----- a snapshot taken while the tree changes (node-level copy-on-write) -----
  // begin_snapshot() fixes an image of the tree at last_zxid(), S, and next_snapshot_nodes()
  // yields that image a slice at a time while apply() goes on changing the tree in between.
  // Until end_snapshot(), the first change to a znode that existed at S (its data, Stat, ACL
  // or children) saves its image at S once; znodes created after S are left out. The cost
  // beyond writing the image out is proportional to what changes while it runs. One at a
  // time; replacing the tree (move-assigning another) drops it.
  void begin_snapshot();
  bool snapshot_in_progress() const;
  int64_t snapshot_zxid() const; // S
  // The ACL lists and sessions as they were at S (copied by begin_snapshot: they are small).
  const std::vector<std::pair<uint32_t, jute::acl_list>>& snapshot_acls() const;
  const std::vector<session_entry>& snapshot_sessions() const;
  // Up to `max_nodes` more znodes of the image at S, a parent before its children (depth
  // first, the root first); `fn`'s image is valid during the call only. Returns false once
  // every znode has been yielded.
  bool next_snapshot_nodes(size_t max_nodes, const std::function<void(const znode_image&)>& fn);
  // Drops the snapshot's saved images (finished or abandoned).
  void end_snapshot();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace paddock::store
