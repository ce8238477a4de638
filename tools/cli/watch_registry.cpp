#include "tools/cli/watch_registry.hpp"

namespace paddock::cli {

void watch_registry::add(const std::string& path, watch_kind kind) {
  std::lock_guard lock(mutex_);
  watches_[path].insert(kind);
}

void watch_registry::fired(const jute::watcher_event& e) {
  using t = jute::event_type;
  std::lock_guard lock(mutex_);
  auto it = watches_.find(e.path);
  if (it == watches_.end()) return;
  auto& kinds = it->second;
  switch (e.type) {
  case t::node_created:
  case t::node_data_changed:
    kinds.erase(watch_kind::data);
    kinds.erase(watch_kind::exist);
    break;
  case t::node_children_changed: kinds.erase(watch_kind::child); break;
  case t::node_deleted:
    kinds.erase(watch_kind::data);
    kinds.erase(watch_kind::exist);
    kinds.erase(watch_kind::child);
    break;
  default: break;
  }
  if (kinds.empty()) watches_.erase(it);
}

std::vector<jute::event_type> watch_registry::removed(const std::string& path, int32_t type) {
  std::lock_guard lock(mutex_);
  std::vector<jute::event_type> events;
  auto it = watches_.find(path);
  if (it == watches_.end()) return events;
  auto& kinds = it->second;
  bool children = type == watcher_type::children || type == watcher_type::any;
  bool data = type == watcher_type::data || type == watcher_type::any;
  if (children && kinds.erase(watch_kind::child))
    events.push_back(jute::event_type::child_watch_removed);
  if (data && (kinds.erase(watch_kind::data) + kinds.erase(watch_kind::exist)) > 0)
    events.push_back(jute::event_type::data_watch_removed);
  if (type == watcher_type::any &&
      (kinds.erase(watch_kind::persistent) + kinds.erase(watch_kind::persistent_recursive)) > 0)
    events.push_back(jute::event_type::persistent_watch_removed);
  if (kinds.empty()) watches_.erase(it);
  return events;
}

bool watch_registry::has(const std::string& path, int32_t type) {
  std::lock_guard lock(mutex_);
  auto it = watches_.find(path);
  if (it == watches_.end()) return false;
  const auto& kinds = it->second;
  if (type == watcher_type::any) return !kinds.empty();
  if (type == watcher_type::children) return kinds.count(watch_kind::child) > 0;
  return kinds.count(watch_kind::data) + kinds.count(watch_kind::exist) > 0;
}

void watch_registry::clear() {
  std::lock_guard lock(mutex_);
  watches_.clear();
}

} // namespace paddock::cli
