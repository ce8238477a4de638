#pragma once
// ZooKeeper's DataTree as its files describe it, for importing a ZooKeeper data directory:
// znodes by full path (ZooKeeper's node map, the root under ""), each with its data, its ACL
// list, its StatPersisted and its children's names; the sessions with their timeouts; the
// last zxid applied. apply_txn() replays one logged txn exactly as ZooKeeper's
// DataTree.processTxn does at start-up, idempotent rules and quirks included, because the
// snapshot it starts from may be fuzzy (written while txns were being applied).
#include "protocol/jute/data_records.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

namespace paddock::store::zookeeper {

// ZooKeeper's StatPersisted (jute field order: czxid, mzxid, ctime, mtime, version, cversion,
// aversion, ephemeralOwner, pzxid).
struct stat_persisted {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  int64_t ephemeral_owner = 0;
  int64_t pzxid = 0;
  friend bool operator==(const stat_persisted&, const stat_persisted&) = default;
};

struct zk_node {
  std::string data;
  bool data_is_null = false; // a null byte[] in ZooKeeper, apart from an empty one
  jute::acl_list acl;
  stat_persisted stat;
  std::set<std::string> children;
};

// TxnHeader: who, which request, which zxid, when (ms), which opcode.
struct txn_header {
  int64_t client_id = 0;
  int32_t cxid = 0;
  int64_t zxid = 0;
  int64_t time = 0;
  int32_t type = 0;
};

struct zk_tree {
  std::unordered_map<std::string, zk_node> nodes;
  std::map<int64_t, int32_t> sessions; // id -> timeout (ms)
  int64_t last_zxid = 0;
  // The ephemeral znodes of each session (ZooKeeper's DataTree.ephemerals).
  std::unordered_map<int64_t, std::set<std::string>> ephemerals;
  // ZooKeeper's tree digest (zk_digest.hpp), kept up to date by apply_txn once set.
  int64_t digest = 0;

  zk_node* find(std::string_view path);
  // After the nodes were filled in directly (a snapshot): the ephemerals and the digest.
  void index();
};

// The TxnDigest a 3.6+ log record carries after its txn: the tree digest after it.
struct txn_digest {
  int32_t version = 0;
  int64_t digest = 0;
};

// Applies one txn record (the jute bytes after its TxnHeader; any TxnDigest after the txn is
// ignored). Returns false, with `error` set, only for a record that cannot be decoded or an
// opcode a log cannot hold: ZooKeeper stops there too. A txn that fails on the tree (NoNode,
// NodeExists) is not an error: ZooKeeper's replay ignores it, and so does this.
// `logged`, when given, receives the record's TxnDigest (nothing when it has none).
bool apply_txn(zk_tree& tree, const txn_header& hdr, std::string_view body, std::string& error,
               std::optional<txn_digest>* logged = nullptr);

} // namespace paddock::store::zookeeper
