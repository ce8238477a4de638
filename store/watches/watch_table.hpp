#pragma once
// The watches of a server, as ZooKeeper 3.8's DataTree keeps them: a data index
// (getData, exists) and a child index (getChildren), each a watch_index. One-shot watches
// go into one of them; addWatch (persistent or persistent-recursive) and their
// re-registration by setWatches2 go into both, as DataTree.addWatch does. A watcher is an
// opaque id (the server maps it to a connection).
//
// A trigger fires each watcher at most once: a watcher reached through both indexes (a
// deleted node watched for data and children) gets one event, as in ZooKeeper.
//
// And only to watchers that may READ the node the event is about (CVE-2024-23944, as
// ZooKeeper 3.8.4+ and Debian's patched 3.8.0 filter in ServerCnxn.process): the table
// knows each watcher's connection identities (set_auth). A filtered one-shot watch is
// used up all the same, as ZooKeeper removes it before the check.
#include "protocol/jute/records.hpp"
#include "store/tree/txn.hpp"
#include "store/watches/watch_index.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace paddock::store {

struct fired_event {
  watcher_id watcher = 0;
  jute::watcher_event event;
};

// ZooKeeper's Watcher.WatcherType, the `type` of checkWatches and removeWatches.
enum class watcher_type : int32_t { children = 1, data = 2, any = 3 };

class watch_table {
public:
  void add_data_watch(std::string_view path, watcher_id w);  // getData, exists
  void add_child_watch(std::string_view path, watcher_id w); // getChildren
  // addWatch: `mode` is persistent or persistent_recursive.
  void add_persistent_watch(std::string_view path, watcher_id w, watch_mode mode);

  // Fires the watches `t` hits: node_created and node_data_changed look in the data
  // index; node_deleted in the data index, then the child index; node_children_changed
  // (triggered on the parent) in the child index. Ancestors' recursive watches fire too.
  void trigger(const watch_trigger& t, std::vector<fired_event>& out);

  // checkWatches / removeWatches, with 3.8's semantics (see watch_index::contains and
  // remove): `any` looks in both indexes.
  bool contains(const std::string& path, watcher_type type, watcher_id w) const;
  bool remove(const std::string& path, watcher_type type, watcher_id w);

  // The identities (ZooKeeper's authInfo) of `w`'s connection, checked against a
  // restricted node's ACL when an event about it fires. Replaced on addAuth; a watcher
  // with none set sees only events about world-readable nodes.
  void set_auth(watcher_id w, std::shared_ptr<const std::vector<jute::id>> auth);

  void remove_watcher(watcher_id w); // its connection closed

  // ZooKeeper's DataTree.getWatchCount (mntr zk_watch_count): the (path, watcher) pairs
  // of both indexes, so a persistent watch counts twice.
  size_t watch_count() const;
  // wchs, wchc and wchp show the data index alone in ZooKeeper 3.8 (DataTree's
  // getWatchesSummary and dumpWatches): child watches are not listed there.
  size_t data_watch_count() const; // wchs "Total watches"
  size_t watched_paths() const;    // distinct paths with a data-index watch
  size_t watcher_count() const;    // distinct watchers with a data-index watch

  // For the wchc / wchp four-letter words (data index): watcher -> paths, path -> watchers.
  std::vector<std::pair<watcher_id, std::vector<std::string>>> by_watcher() const;
  std::vector<std::pair<std::string, std::vector<watcher_id>>> by_path() const;

private:
  bool may_see(watcher_id w, const watch_trigger& t) const;

  watch_index data_;
  watch_index child_;
  std::unordered_map<watcher_id, std::shared_ptr<const std::vector<jute::id>>> auth_;
  std::vector<watcher_id> hit_; // reused by trigger()
};

} // namespace paddock::store
