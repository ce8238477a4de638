#pragma once
// The watches this shell's session has set, as the Java client's ZKWatchManager keeps them:
// a one-shot watch goes when its event arrives, a persistent one stays. removewatches needs
// them to print what the Java client prints after the server removed watches: one
// DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved event per kind removed.
#include "protocol/jute/records.hpp"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace paddock::cli {

enum class watch_kind { data, exist, child, persistent, persistent_recursive };

// WatcherType on the wire (removeWatches, checkWatches).
namespace watcher_type {
inline constexpr int32_t children = 1;
inline constexpr int32_t data = 2;
inline constexpr int32_t any = 3;
} // namespace watcher_type

class watch_registry {
public:
  void add(const std::string& path, watch_kind kind);
  // An event from the server: the one-shot watches it triggers are gone.
  void fired(const jute::watcher_event& e);
  // The server removed `type` watches of `path`: forget them and say which events the Java
  // client would deliver for that.
  std::vector<jute::event_type> removed(const std::string& path, int32_t type);
  // Whether the session has a watch of `type` on `path`: the Java client answers NoWatcher
  // itself, without asking the server, when it has none.
  bool has(const std::string& path, int32_t type);
  void clear();

private:
  std::mutex mutex_;
  std::map<std::string, std::set<watch_kind>> watches_;
};

} // namespace paddock::cli
