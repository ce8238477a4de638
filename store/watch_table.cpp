#include "store/watch_table.hpp"

#include <algorithm>
#include <unordered_set>

namespace paddock::store {

namespace {

using jute::event_type;

// Removes every watch on `path` in `table` (and its reverse entries), appending an event for
// each watcher not already in `processed`.
template <class Table, class Reverse>
void fire(Table& table, Reverse& by_watcher, const std::string& path, event_type type,
          std::unordered_set<watcher_id>& processed, std::vector<fired_event>& out) {
  auto it = table.find(path);
  if (it == table.end()) return;
  for (auto w : it->second) {
    auto r = by_watcher.find(w);
    if (r != by_watcher.end()) {
      r->second.erase(path);
      if (r->second.empty()) by_watcher.erase(r);
    }
    if (processed.insert(w).second)
      out.push_back({w, jute::watcher_event{type, jute::keeper_state::sync_connected, path}});
  }
  table.erase(it);
}

} // namespace

void watch_table::add(table& t, reverse& r, std::string_view path, watcher_id w) {
  auto it = t.find(std::string(path));
  if (it == t.end()) it = t.emplace(std::string(path), std::unordered_set<watcher_id>{}).first;
  if (it->second.insert(w).second) r[w].insert(it->first);
}

void watch_table::add_data_watch(std::string_view path, watcher_id w) {
  add(data_, data_by_watcher_, path, w);
}

void watch_table::add_child_watch(std::string_view path, watcher_id w) {
  add(child_, child_by_watcher_, path, w);
}

void watch_table::trigger(const watch_trigger& t, std::vector<fired_event>& out) {
  const bool hits_data = t.type == event_type::node_created ||
                         t.type == event_type::node_data_changed ||
                         t.type == event_type::node_deleted;
  const bool hits_child =
      t.type == event_type::node_children_changed || t.type == event_type::node_deleted;
  // The common case: nobody watches this path. One lookup per table, no allocation.
  const bool data_hit = hits_data && !data_.empty() && data_.count(t.path) != 0;
  const bool child_hit = hits_child && !child_.empty() && child_.count(t.path) != 0;
  if (!data_hit && !child_hit) return;
  // ZooKeeper passes the watchers the data table fired to the child table, so a watcher
  // that watched a deleted node both ways gets one NodeDeleted, not two.
  std::unordered_set<watcher_id> processed;
  if (data_hit) fire(data_, data_by_watcher_, t.path, t.type, processed, out);
  if (child_hit) fire(child_, child_by_watcher_, t.path, t.type, processed, out);
}

void watch_table::remove_watcher(watcher_id w) {
  auto drop = [w](table& t, reverse& r) {
    auto it = r.find(w);
    if (it == r.end()) return;
    for (const auto& path : it->second) {
      auto p = t.find(path);
      if (p == t.end()) continue;
      p->second.erase(w);
      if (p->second.empty()) t.erase(p);
    }
    r.erase(it);
  };
  drop(data_, data_by_watcher_);
  drop(child_, child_by_watcher_);
}

size_t watch_table::watch_count() const {
  size_t n = 0;
  for (const auto& [path, ws] : data_)
    n += ws.size();
  for (const auto& [path, ws] : child_)
    n += ws.size();
  return n;
}

size_t watch_table::watched_paths() const {
  size_t n = data_.size();
  for (const auto& [path, ws] : child_)
    if (data_.count(path) == 0) ++n;
  return n;
}

size_t watch_table::watcher_count() const {
  size_t n = data_by_watcher_.size();
  for (const auto& [w, paths] : child_by_watcher_)
    if (data_by_watcher_.count(w) == 0) ++n;
  return n;
}

std::vector<std::pair<watcher_id, std::vector<std::string>>> watch_table::by_watcher() const {
  std::unordered_map<watcher_id, std::vector<std::string>> merged;
  for (const auto* r : {&data_by_watcher_, &child_by_watcher_})
    for (const auto& [w, paths] : *r)
      merged[w].insert(merged[w].end(), paths.begin(), paths.end());
  std::vector<std::pair<watcher_id, std::vector<std::string>>> out(merged.begin(), merged.end());
  for (auto& [w, paths] : out) {
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, std::vector<watcher_id>>> watch_table::by_path() const {
  std::unordered_map<std::string, std::vector<watcher_id>> merged;
  for (const auto* t : {&data_, &child_})
    for (const auto& [path, ws] : *t)
      merged[path].insert(merged[path].end(), ws.begin(), ws.end());
  std::vector<std::pair<std::string, std::vector<watcher_id>>> out(merged.begin(), merged.end());
  for (auto& [path, ws] : out) {
    std::sort(ws.begin(), ws.end());
    ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace paddock::store
