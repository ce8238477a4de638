// Quota usage (store/tree/quota.hpp): DataTree's updateCountBytes / updateQuotaForPath as a
// create, delete or setData is applied, and setupQuota's recount after a snapshot is loaded.
// The figures live in each quota's zookeeper_stats znode, changed in place.
#include "store/tree/data_tree_impl.hpp"
#include "store/tree/quota.hpp"

namespace paddock::store {

// The usage of the longest quota'd prefix of `path`, changed in place: no version, mzxid or
// approximate data size moves, as in ZooKeeper.
void data_tree::impl::quota_add(std::string_view path, int64_t bytes_diff, int64_t count_diff) {
  auto prefix = max_quota_prefix(quota_paths, path);
  if (prefix.empty()) return;
  znode* stat = find(quota_stat_path(prefix));
  if (!stat) return;
  auto s = parse_stats_track(stat->data());
  s.count += count_diff;
  s.bytes += bytes_diff;
  before_change(*stat);
  stat->set_data(to_string(s));
  // As 3.8, a passed limit is only logged (zookeeper.enforceQuota is off by default).
  if (const znode* limits = find(quota_limit_path(prefix)))
    for (auto& w : quota_warnings(prefix, s, parse_stats_track(limits->data())))
      warnings.push_back(std::move(w));
}

// The whole usage of `target`: the node itself and every znode below it.
void data_tree::impl::quota_recompute(std::string_view target) {
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
  before_change(*stat);
  stat->set_data(to_string(s));
}

// After a snapshot is loaded (DataTree.setupQuota): every zookeeper_limits znode under
// /zookeeper/quota names a quota; each one's usage is counted afresh.
void data_tree::impl::setup_quota() {
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

} // namespace paddock::store
