// Persistent and persistent-recursive watches (addWatch's modes), what checkWatches sees of
// them, and how they mix with one-shot watches — ZooKeeper 3.8's WatchManager rules.
#include "store/watches/watch_table.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace paddock;
using jute::event_type;
using store::watch_mode;
using store::watch_table;
using store::watcher_type;

namespace {

using fired = std::vector<std::pair<store::watcher_id, event_type>>;

fired fire(watch_table& t, const char* path, event_type type) {
  std::vector<store::fired_event> out;
  t.trigger({path, type}, out);
  fired got;
  for (auto& f : out) {
    CHECK(f.event.path == path);
    got.emplace_back(f.watcher, f.event.type);
  }
  std::sort(got.begin(), got.end());
  return got;
}

} // namespace

TEST_CASE("a persistent watch fires every change on its path and stays") {
  watch_table t;
  t.add_persistent_watch("/p", 1, watch_mode::persistent);
  for (int i = 0; i < 3; ++i)
    CHECK(fire(t, "/p", event_type::node_data_changed) ==
          fired{{1, event_type::node_data_changed}});
  CHECK(fire(t, "/p", event_type::node_children_changed) ==
        fired{{1, event_type::node_children_changed}});
  CHECK(fire(t, "/p", event_type::node_deleted) == fired{{1, event_type::node_deleted}});
  CHECK(fire(t, "/p", event_type::node_created) == fired{{1, event_type::node_created}});
  // Not for its children's own changes, and not for other paths.
  CHECK(fire(t, "/p/c", event_type::node_data_changed).empty());
  CHECK(fire(t, "/q", event_type::node_created).empty());
  // In both indexes, as DataTree.addWatch puts it: mntr counts it twice.
  CHECK(t.watch_count() == 2);
  CHECK(t.watched_paths() == 1);
  CHECK(t.watcher_count() == 1);
}

TEST_CASE("a recursive watch fires for its path and every descendant, never for children") {
  watch_table t;
  t.add_persistent_watch("/r", 1, watch_mode::persistent_recursive);
  CHECK(fire(t, "/r", event_type::node_data_changed) == fired{{1, event_type::node_data_changed}});
  CHECK(fire(t, "/r/a", event_type::node_created) == fired{{1, event_type::node_created}});
  CHECK(fire(t, "/r/a/b/c", event_type::node_data_changed) ==
        fired{{1, event_type::node_data_changed}});
  CHECK(fire(t, "/r/a", event_type::node_deleted) == fired{{1, event_type::node_deleted}});
  CHECK(fire(t, "/r", event_type::node_children_changed).empty());
  CHECK(fire(t, "/r/a", event_type::node_children_changed).empty());
  // A sibling sharing a name prefix is not a descendant.
  CHECK(fire(t, "/rx", event_type::node_created).empty());
  CHECK(fire(t, "/", event_type::node_data_changed).empty());
}

TEST_CASE("a recursive watch on the root sees the whole tree") {
  watch_table t;
  t.add_persistent_watch("/", 7, watch_mode::persistent_recursive);
  CHECK(fire(t, "/x/y", event_type::node_created) == fired{{7, event_type::node_created}});
  CHECK(fire(t, "/", event_type::node_data_changed) == fired{{7, event_type::node_data_changed}});
}

TEST_CASE("a watcher reached several ways by one change gets one event") {
  watch_table t;
  t.add_persistent_watch("/a", 1, watch_mode::persistent_recursive);
  t.add_persistent_watch("/a/b", 1, watch_mode::persistent_recursive);
  t.add_data_watch("/a/b/c", 1);
  t.add_child_watch("/a/b/c", 1);
  t.add_persistent_watch("/a", 2, watch_mode::persistent_recursive);
  CHECK(fire(t, "/a/b/c", event_type::node_deleted) ==
        fired{{1, event_type::node_deleted}, {2, event_type::node_deleted}});
  // The one-shot watches went with that event; the recursive ones stay.
  CHECK(t.watch_count() == 6);
}

TEST_CASE("3.8 keeps one mode per watcher and path: the later registration wins") {
  SECTION("a one-shot watch after a persistent one makes the data side one-shot") {
    watch_table t;
    t.add_persistent_watch("/m", 1, watch_mode::persistent);
    t.add_data_watch("/m", 1);
    CHECK(fire(t, "/m", event_type::node_data_changed) ==
          fired{{1, event_type::node_data_changed}});
    CHECK(fire(t, "/m", event_type::node_data_changed).empty());
    // The child index still holds the persistent watch.
    CHECK(fire(t, "/m", event_type::node_children_changed) ==
          fired{{1, event_type::node_children_changed}});
    CHECK(fire(t, "/m", event_type::node_deleted) == fired{{1, event_type::node_deleted}});
    CHECK(fire(t, "/m", event_type::node_children_changed).size() == 1);
  }
  SECTION("addWatch after a one-shot watch makes it persistent: one event, then more") {
    watch_table t;
    t.add_data_watch("/m", 1);
    t.add_persistent_watch("/m", 1, watch_mode::persistent);
    CHECK(fire(t, "/m", event_type::node_data_changed) ==
          fired{{1, event_type::node_data_changed}});
    CHECK(fire(t, "/m", event_type::node_data_changed).size() == 1);
  }
  SECTION("a one-shot watch on a recursive watch's path ends the recursion below it") {
    watch_table t;
    t.add_persistent_watch("/m", 1, watch_mode::persistent_recursive);
    t.add_data_watch("/m", 1);
    CHECK(fire(t, "/m/c", event_type::node_created).empty());
    CHECK(fire(t, "/m", event_type::node_data_changed).size() == 1);
    CHECK(fire(t, "/m", event_type::node_data_changed).empty());
  }
  SECTION("other watchers' modes are their own") {
    watch_table t;
    t.add_persistent_watch("/m", 1, watch_mode::persistent);
    t.add_data_watch("/m", 2);
    CHECK(fire(t, "/m", event_type::node_data_changed) ==
          fired{{1, event_type::node_data_changed}, {2, event_type::node_data_changed}});
    CHECK(fire(t, "/m", event_type::node_data_changed) ==
          fired{{1, event_type::node_data_changed}});
  }
}

TEST_CASE("removing by type takes the watch out of that index only") {
  watch_table t;
  t.add_persistent_watch("/p", 1, watch_mode::persistent);
  CHECK(t.remove("/p", watcher_type::data, 1));
  CHECK_FALSE(t.remove("/p", watcher_type::data, 1));
  CHECK(fire(t, "/p", event_type::node_data_changed).empty());
  CHECK(fire(t, "/p", event_type::node_children_changed).size() == 1);
  CHECK(t.remove("/p", watcher_type::any, 1));
  CHECK_FALSE(t.remove("/p", watcher_type::any, 1));
  CHECK(t.watch_count() == 0);
  CHECK(fire(t, "/p", event_type::node_deleted).empty());
}

TEST_CASE("removing the last recursive watch stops the ancestor walk") {
  watch_table t;
  t.add_persistent_watch("/r", 1, watch_mode::persistent_recursive);
  t.add_persistent_watch("/r", 2, watch_mode::persistent_recursive);
  CHECK(t.remove("/r", watcher_type::any, 1));
  CHECK(fire(t, "/r/x", event_type::node_created) == fired{{2, event_type::node_created}});
  t.remove_watcher(2);
  CHECK(fire(t, "/r/x", event_type::node_created).empty());
  CHECK(t.watch_count() == 0);
  // Replacing a recursive mode by another mode also counts down.
  t.add_persistent_watch("/s", 3, watch_mode::persistent_recursive);
  t.add_persistent_watch("/s", 3, watch_mode::persistent);
  CHECK(fire(t, "/s/x", event_type::node_created).empty());
  CHECK(fire(t, "/s", event_type::node_created).size() == 1);
}

TEST_CASE("checkWatches answers for any watcher's watch on the exact path, as 3.8 does") {
  watch_table t;
  t.add_data_watch("/c", 1);
  CHECK(t.contains("/c", watcher_type::data, 1));
  CHECK(t.contains("/c", watcher_type::any, 1));
  CHECK_FALSE(t.contains("/c", watcher_type::children, 1));
  // 3.8's WatchManager.containsWatcher does not look at the watcher on the exact path.
  CHECK(t.contains("/c", watcher_type::data, 2));
  // A recursive watch on an ancestor is not a watch on the path.
  t.add_persistent_watch("/r", 1, watch_mode::persistent_recursive);
  CHECK_FALSE(t.contains("/r/x", watcher_type::any, 1));
  CHECK(t.contains("/r", watcher_type::children, 1));
}

TEST_CASE("counts as ZooKeeper 3.8 reports them: mntr both indexes, wchs/wchc/wchp data") {
  watch_table t;
  t.add_persistent_watch("/p", 1, watch_mode::persistent);
  t.add_persistent_watch("/r", 1, watch_mode::persistent_recursive);
  t.add_child_watch("/c", 2);
  t.add_data_watch("/d", 2);
  CHECK(t.watch_count() == 6);      // 2 + 2 + 1 + 1
  CHECK(t.data_watch_count() == 3); // /p, /r, /d
  CHECK(t.watched_paths() == 3);
  CHECK(t.watcher_count() == 2);
  auto by_watcher = t.by_watcher();
  REQUIRE(by_watcher.size() == 2);
  CHECK(by_watcher[0].second == std::vector<std::string>{"/p", "/r"});
  CHECK(by_watcher[1].second == std::vector<std::string>{"/d"}); // the child watch is not listed
  auto by_path = t.by_path();
  REQUIRE(by_path.size() == 3);
  CHECK(by_path[0].first == "/d");
}

TEST_CASE("a recursive watch left in the child index alone still reports deletions") {
  watch_table t;
  t.add_persistent_watch("/h", 1, watch_mode::persistent_recursive);
  CHECK(t.remove("/h", watcher_type::data, 1));
  CHECK(fire(t, "/h/a", event_type::node_created).empty());
  CHECK(fire(t, "/h/a", event_type::node_data_changed).empty());
  CHECK(fire(t, "/h", event_type::node_children_changed).empty());
  CHECK(fire(t, "/h/a", event_type::node_deleted) == fired{{1, event_type::node_deleted}});
}
