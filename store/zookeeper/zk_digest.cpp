#include "store/zookeeper/zk_digest.hpp"

namespace paddock::store::zookeeper {

int64_t node_digest(std::string_view path, std::string_view data, bool data_is_null,
                    const stat_persisted& stat) {
  znode_image n;
  n.path = path;
  n.data = data;
  n.data_is_null = data_is_null;
  n.czxid = stat.czxid;
  n.mzxid = stat.mzxid;
  n.pzxid = stat.pzxid;
  n.ctime = stat.ctime;
  n.mtime = stat.mtime;
  n.version = stat.version;
  n.cversion = stat.cversion;
  n.aversion = stat.aversion;
  n.ephemeral_owner = stat.ephemeral_owner;
  return store::node_digest(n);
}

int64_t tree_digest(const zk_tree& tree) {
  uint64_t sum = 0; // Java's long addition wraps
  for (const auto& [path, n] : tree.nodes)
    sum += static_cast<uint64_t>(node_digest(path, n.data, n.data_is_null, n.stat));
  return static_cast<int64_t>(sum);
}

} // namespace paddock::store::zookeeper
