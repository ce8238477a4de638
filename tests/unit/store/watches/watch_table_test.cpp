// One-shot data and child watches with ZooKeeper's trigger rules, and the READ check of
// watch events against each watcher's identities (CVE-2024-23944).
#include "store/tree/digest_auth.hpp"
#include "store/watches/watch_table.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>

using namespace paddock;
using jute::event_type;
using store::fired_event;
using store::watch_mode;
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

// CVE-2024-23944: ZooKeeper checks READ on the node an event is about for every watcher
// (persistent, recursive and one-shot alike) against that watcher's connection ids.
TEST_CASE("events about a node the watcher may not read are dropped", "[watch][acl]") {
  const std::string alice = store::digest_identity("alice:pw");
  const auto secret_acl =
      std::make_shared<const jute::acl_list>(jute::acl_list{{jute::perms::all, {"digest", alice}}});
  auto ids = [](std::vector<jute::id> v) {
    return std::make_shared<const std::vector<jute::id>>(std::move(v));
  };
  watch_table t;
  t.add_persistent_watch("/p", 1, watch_mode::persistent_recursive); // anonymous
  t.add_persistent_watch("/p", 2, watch_mode::persistent_recursive); // alice
  t.add_persistent_watch("/p", 3, watch_mode::persistent_recursive); // super
  t.add_persistent_watch("/p", 4, watch_mode::persistent_recursive); // no ids set at all
  t.set_auth(1, ids({{"ip", "127.0.0.1"}}));
  t.set_auth(2, ids({{"ip", "127.0.0.1"}, {"digest", alice}}));
  t.set_auth(3, ids({{"super", ""}}));

  auto fire_with = [&](const char* path, event_type type,
                       std::shared_ptr<const jute::acl_list> acl) {
    std::vector<store::fired_event> out;
    t.trigger({path, type, std::move(acl)}, out);
    std::vector<store::watcher_id> got;
    for (auto& f : out)
      got.push_back(f.watcher);
    std::sort(got.begin(), got.end());
    return got;
  };
  using ids_t = std::vector<store::watcher_id>;
  for (auto type :
       {event_type::node_created, event_type::node_data_changed, event_type::node_deleted})
    CHECK(fire_with("/p/secret", type, secret_acl) == ids_t{2, 3});
  // World-readable (null): everyone, so the test above proves filtering, not silence.
  CHECK(fire_with("/p/open", event_type::node_created, nullptr) == ids_t{1, 2, 3, 4});

  // addAuth: the same watch now passes.
  t.set_auth(1, ids({{"ip", "127.0.0.1"}, {"digest", alice}}));
  CHECK(fire_with("/p/secret", event_type::node_data_changed, secret_acl) == ids_t{1, 2, 3});
}

TEST_CASE("a one-shot watch filtered by the ACL is used up", "[watch][acl]") {
  const auto secret_acl = std::make_shared<const jute::acl_list>(
      jute::acl_list{{jute::perms::all, {"digest", store::digest_identity("alice:pw")}}});
  watch_table t;
  t.add_data_watch("/s", 1); // exists("/s", watch) needs no permission
  t.set_auth(
      1, std::make_shared<const std::vector<jute::id>>(std::vector<jute::id>{{"ip", "127.0.0.1"}}));
  std::vector<store::fired_event> out;
  t.trigger({"/s", event_type::node_created, secret_acl}, out);
  CHECK(out.empty());
  CHECK(t.watch_count() == 0); // ZooKeeper removes it before the check
  t.trigger({"/s", event_type::node_data_changed, nullptr}, out);
  CHECK(out.empty());
}

TEST_CASE("a closed watcher's identities go with it", "[watch][acl]") {
  const auto secret_acl = std::make_shared<const jute::acl_list>(
      jute::acl_list{{jute::perms::read, {"ip", "127.0.0.1"}}});
  watch_table t;
  t.add_persistent_watch("/", 7, watch_mode::persistent_recursive);
  t.set_auth(
      7, std::make_shared<const std::vector<jute::id>>(std::vector<jute::id>{{"ip", "127.0.0.1"}}));
  t.remove_watcher(7);
  // The id is reused by a new connection with other ids: the old ones must not apply.
  t.add_persistent_watch("/", 7, watch_mode::persistent_recursive);
  std::vector<store::fired_event> out;
  t.trigger({"/x", event_type::node_created, secret_acl}, out);
  CHECK(out.empty());
}
