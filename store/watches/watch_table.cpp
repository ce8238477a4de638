#include "store/watches/watch_table.hpp"

#include "store/tree/acl.hpp"

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
    if (may_see(w, t))
      out.push_back({w, jute::watcher_event{t.type, jute::keeper_state::sync_connected, t.path}});
  hit_.clear();
}

bool watch_table::may_see(watcher_id w, const watch_trigger& t) const {
  if (!t.acl) return true; // world-readable: the usual case costs this compare only
  auto it = auth_.find(w);
  std::span<const jute::id> ids;
  if (it != auth_.end() && it->second) ids = *it->second;
  return may_see_event(t.acl.get(), ids);
}

void watch_table::set_auth(watcher_id w, std::shared_ptr<const std::vector<jute::id>> auth) {
  auth_[w] = std::move(auth);
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
  auth_.erase(w);
  data_.remove_watcher(w);
  child_.remove_watcher(w);
}

size_t watch_table::watch_count() const {
  return data_.watch_count() + child_.watch_count();
}

size_t watch_table::data_watch_count() const {
  return data_.watch_count();
}

size_t watch_table::watched_paths() const {
  return data_.by_path().size();
}

size_t watch_table::watcher_count() const {
  return data_.by_watcher().size();
}

std::vector<std::pair<watcher_id, std::vector<std::string>>> watch_table::by_watcher() const {
  std::vector<std::pair<watcher_id, std::vector<std::string>>> out;
  for (const auto& [w, paths] : data_.by_watcher())
    out.emplace_back(w, std::vector<std::string>(paths.begin(), paths.end()));
  for (auto& [w, paths] : out)
    std::sort(paths.begin(), paths.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, std::vector<watcher_id>>> watch_table::by_path() const {
  std::vector<std::pair<std::string, std::vector<watcher_id>>> out;
  for (const auto& [path, ws] : data_.by_path()) {
    auto& ids = out.emplace_back(path, std::vector<watcher_id>{}).second;
    for (const auto& [w, mode] : ws)
      ids.push_back(w);
    std::sort(ids.begin(), ids.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace paddock::store
