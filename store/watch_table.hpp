#pragma once
// One-shot data and child watches, as ZooKeeper's WatchManager pair (dataWatches,
// childWatches). A watcher is an opaque id (the server maps it to a connection).
// Triggering removes what it fires; a watcher hit through both tables by one trigger
// (a deleted node watched for data and children) gets one event, as in ZooKeeper.
#include "protocol/jute/records.hpp"
#include "store/txn.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace paddock::store {

using watcher_id = uint64_t;

struct fired_event {
  watcher_id watcher = 0;
  jute::watcher_event event;
};

class watch_table {
public:
  void add_data_watch(std::string_view path, watcher_id w);  // getData, exists
  void add_child_watch(std::string_view path, watcher_id w); // getChildren

  // Fires the watches `t` hits: node_created and node_data_changed hit data watches;
  // node_deleted hits data and child watches; node_children_changed hits child watches.
  void trigger(const watch_trigger& t, std::vector<fired_event>& out);

  void remove_watcher(watcher_id w); // its connection closed

  size_t watch_count() const;   // (path, watcher) pairs in both tables
  size_t watched_paths() const; // distinct paths with any watch
  size_t watcher_count() const; // distinct watchers with any watch

  // For the wchc / wchp four-letter words: watcher -> paths, path -> watchers.
  std::vector<std::pair<watcher_id, std::vector<std::string>>> by_watcher() const;
  std::vector<std::pair<std::string, std::vector<watcher_id>>> by_path() const;

private:
  using table = std::unordered_map<std::string, std::unordered_set<watcher_id>>;
  using reverse = std::unordered_map<watcher_id, std::unordered_set<std::string>>;
  static void add(table& t, reverse& r, std::string_view path, watcher_id w);
  table data_;
  table child_;
  reverse data_by_watcher_;
  reverse child_by_watcher_;
};

} // namespace paddock::store
