#include "store/watch_table.hpp"

#include <algorithm>
#include <unordered_map>

namespace paddock::store {

using jute::event_type;

void watch_table::add_data_watch(std::string_view path, watcher_id w) {
  data_.add(path, w, watch_mode::standard);
}

void watch_table::add_child_watch(std::string_view path, watcher_id w) {
  child_.add(path, w, watch_mode::standard);
}

void watch_table::add_persistent_watch(std::string_view path, watcher_id w, watch_mode mode) {
  data_.add(path, w, mode);
  child_.add(path, w, mode);
}

void watch_table::trigger(const watch_trigger& t, std::vector<fired_event>& out) {
  const bool hits_data = t.type == event_type::node_created ||
                         t.type == event_type::node_data_changed ||
                         t.type == event_type::node_deleted;
  const bool hits_child =
      t.type == event_type::node_children_changed || t.type == event_type::node_deleted;
  // ZooKeeper passes the watchers the data index fired to the child index as ones to
  // suppress, so a watcher reached through both gets one NodeDeleted, not two; the child
  // index still drops the one-shot watches it reaches. Deduplicating gives that outcome.
  if (hits_data) data_.trigger(t.path, t.type, hit_);
  if (hits_child) child_.trigger(t.path, t.type, hit_);
  if (hit_.empty()) return;
  std::sort(hit_.begin(), hit_.end());
  hit_.erase(std::unique(hit_.begin(), hit_.end()), hit_.end());
  for (auto w : hit_)
    out.push_back({w, jute::watcher_event{t.type, jute::keeper_state::sync_connected, t.path}});
  hit_.clear();
}

bool watch_table::contains(const std::string& path, watcher_type type, watcher_id w) const {
  switch (type) {
  case watcher_type::children: return child_.contains(path, w);
  case watcher_type::data: return data_.contains(path, w);
  case watcher_type::any: return child_.contains(path, w) || data_.contains(path, w);
  }
  return false;
}

bool watch_table::remove(const std::string& path, watcher_type type, watcher_id w) {
  switch (type) {
  case watcher_type::children: return child_.remove(path, w);
  case watcher_type::data: return data_.remove(path, w);
  case watcher_type::any: {
    const bool from_child = child_.remove(path, w);
    const bool from_data = data_.remove(path, w);
    return from_child || from_data;
  }
  }
  return false;
}

void watch_table::remove_watcher(watcher_id w) {
  data_.remove_watcher(w);
  child_.remove_watcher(w);
}

size_t watch_table::watch_count() const {
  return data_.watch_count() + child_.watch_count();
}

size_t watch_table::watched_paths() const {
  size_t n = data_.by_path().size();
  for (const auto& [path, ws] : child_.by_path())
    if (data_.by_path().count(path) == 0) ++n;
  return n;
}

size_t watch_table::watcher_count() const {
  size_t n = data_.by_watcher().size();
  for (const auto& [w, paths] : child_.by_watcher())
    if (data_.by_watcher().count(w) == 0) ++n;
  return n;
}

std::vector<std::pair<watcher_id, std::vector<std::string>>> watch_table::by_watcher() const {
  std::unordered_map<watcher_id, std::vector<std::string>> merged;
  for (const auto* index : {&data_, &child_})
    for (const auto& [w, paths] : index->by_watcher())
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
  for (const auto* index : {&data_, &child_})
    for (const auto& [path, ws] : index->by_path())
      for (const auto& [w, mode] : ws)
        merged[path].push_back(w);
  std::vector<std::pair<std::string, std::vector<watcher_id>>> out(merged.begin(), merged.end());
  for (auto& [path, ws] : out) {
    std::sort(ws.begin(), ws.end());
    ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace paddock::store
