// One-shot data and child watches with ZooKeeper's trigger rules.
#include "store/watch_table.hpp"

#include <catch2/catch.hpp>

using namespace paddock;
using jute::event_type;
using store::fired_event;
using store::watch_table;

namespace {
std::vector<std::pair<store::watcher_id, event_type>> fire(watch_table& t, const char* path,
                                                           event_type type) {
  std::vector<fired_event> out;
  t.trigger({path, type}, out);
  std::vector<std::pair<store::watcher_id, event_type>> got;
  for (auto& f : out) {
    CHECK(f.event.path == path);
    CHECK(f.event.state == jute::keeper_state::sync_connected);
    got.emplace_back(f.watcher, f.event.type);
  }
  std::sort(got.begin(), got.end());
  return got;
}
} // namespace

TEST_CASE("a data watch fires once for a change, then is gone") {
  watch_table t;
  t.add_data_watch("/a", 1);
  t.add_data_watch("/a", 1); // set twice: still one watch, one event
  t.add_data_watch("/a", 2);
  CHECK(t.watch_count() == 2);
  CHECK(fire(t, "/a", event_type::node_data_changed) ==
        std::vector<std::pair<store::watcher_id, event_type>>{{1, event_type::node_data_changed},
                                                              {2, event_type::node_data_changed}});
  CHECK(fire(t, "/a", event_type::node_data_changed).empty());
  CHECK(t.watch_count() == 0);
  CHECK(t.watcher_count() == 0);
}

TEST_CASE("each event type hits the tables ZooKeeper's DataTree triggers") {
  watch_table t;
  t.add_data_watch("/n", 1);
  t.add_child_watch("/n", 2);
  // A child change does not touch data watches, and the reverse.
  CHECK(fire(t, "/n", event_type::node_children_changed).size() == 1);
  CHECK(t.watch_count() == 1);
  t.add_child_watch("/n", 2);
  CHECK(fire(t, "/n", event_type::node_created) ==
        std::vector<std::pair<store::watcher_id, event_type>>{{1, event_type::node_created}});
  CHECK(fire(t, "/n", event_type::node_data_changed).empty());
  CHECK(t.watch_count() == 1); // the child watch is still there
}

TEST_CASE("a deleted node fires data and child watches, one event per watcher") {
  watch_table t;
  t.add_data_watch("/d", 1);
  t.add_child_watch("/d", 1);
  t.add_child_watch("/d", 2);
  t.add_data_watch("/other", 3);
  CHECK(fire(t, "/d", event_type::node_deleted) ==
        std::vector<std::pair<store::watcher_id, event_type>>{{1, event_type::node_deleted},
                                                              {2, event_type::node_deleted}});
  CHECK(t.watch_count() == 1);
  CHECK(t.watched_paths() == 1);
}

TEST_CASE("a closed connection's watches all go") {
  watch_table t;
  t.add_data_watch("/a", 1);
  t.add_child_watch("/b", 1);
  t.add_data_watch("/a", 2);
  t.remove_watcher(1);
  CHECK(t.watch_count() == 1);
  CHECK(t.watcher_count() == 1);
  CHECK(fire(t, "/b", event_type::node_children_changed).empty());
  CHECK(fire(t, "/a", event_type::node_deleted).size() == 1);
}

TEST_CASE("listings by watcher and by path for wchc and wchp") {
  watch_table t;
  t.add_data_watch("/a", 1);
  t.add_child_watch("/a", 1);
  t.add_data_watch("/b", 2);
  auto by_watcher = t.by_watcher();
  REQUIRE(by_watcher.size() == 2);
  CHECK(by_watcher[0].first == 1);
  CHECK(by_watcher[0].second == std::vector<std::string>{"/a"});
  auto by_path = t.by_path();
  REQUIRE(by_path.size() == 2);
  CHECK(by_path[0].first == "/a");
  CHECK(by_path[0].second == std::vector<store::watcher_id>{1});
  CHECK(t.watched_paths() == 2);
  CHECK(t.watch_count() == 3);
}
