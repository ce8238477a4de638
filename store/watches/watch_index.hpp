#pragma once
// One of ZooKeeper 3.8's two WatchManagers (DataTree keeps a data one and a child one):
// path -> watchers, each with one mode. 3.8 keeps a single mode per (watcher, path), so a
// later registration replaces the earlier one: a one-shot getData on a path with a
// persistent watch turns it back into a one-shot, and addWatch turns a one-shot into a
// persistent watch. We keep that, since clients see it (ZooKeeper 3.9 changed it).
#include "protocol/jute/records.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace paddock::store {

using watcher_id = uint64_t;

// ZooKeeper's WatcherMode; ZooDefs.AddWatchModes numbers persistent 0, recursive 1.
enum class watch_mode : uint8_t { standard, persistent, persistent_recursive };

class watch_index {
public:
  // Sets (or replaces) the mode of `w` on `path`.
  void add(std::string_view path, watcher_id w, watch_mode mode);

  // Appends to `out` the watchers `type` on `path` reaches (a watcher may appear more than
  // once: the caller dedups), and drops the
  // one-shot watches it fires. A watch on `path` itself fires whatever its mode; a
  // persistent-recursive watch on an ancestor fires too, and neither kind of recursive
  // watch fires for NodeChildrenChanged. Ancestors are looked at only while some
  // recursive watch exists, so without one a trigger costs one hash lookup.
  void trigger(const std::string& path, jute::event_type type, std::vector<watcher_id>& out);

  // ZooKeeper's containsWatcher: true when *any* watcher has a watch on exactly `path`
  // (3.8 does not look at `w` there), or `w` watches it recursively.
  bool contains(const std::string& path, watcher_id w) const;
  // Removes `w`'s watch on `path`, whatever its mode; false when it had none.
  bool remove(const std::string& path, watcher_id w);
  void remove_watcher(watcher_id w); // its connection closed

  size_t watch_count() const; // (path, watcher) pairs
  size_t recursive_count() const { return recursive_; }
  bool empty() const { return table_.empty(); }

  // Looked up by string_view, so walking a path's ancestors allocates nothing.
  struct path_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using table = std::unordered_map<std::string, std::unordered_map<watcher_id, watch_mode>,
                                   path_hash, std::equal_to<>>;
  using reverse = std::unordered_map<watcher_id, std::unordered_set<std::string>>;
  const table& by_path() const { return table_; }
  const reverse& by_watcher() const { return by_watcher_; }

private:
  void forget(watch_mode mode) {
    if (mode == watch_mode::persistent_recursive) --recursive_;
  }
  table table_;
  reverse by_watcher_;
  size_t recursive_ = 0; // watches in persistent_recursive mode (ZooKeeper's recursiveQty)
};

} // namespace paddock::store
