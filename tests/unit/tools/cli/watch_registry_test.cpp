// The shell's record of its watches, as the Java client's ZKWatchManager keeps them.
#include "tools/cli/watch_registry.hpp"

#include <catch2/catch.hpp>

using namespace paddock::cli;
namespace jute = paddock::jute;
using events = std::vector<jute::event_type>;

TEST_CASE("one-shot watches go when they fire, persistent ones stay", "[cli]") {
  watch_registry w;
  w.add("/a", watch_kind::data);
  w.add("/a", watch_kind::persistent);
  CHECK(w.has("/a", watcher_type::data));
  w.fired({jute::event_type::node_data_changed, jute::keeper_state::sync_connected, "/a"});
  CHECK(!w.has("/a", watcher_type::data));
  CHECK(w.has("/a", watcher_type::any)); // the persistent one
}

TEST_CASE("removal answers the events the Java client delivers", "[cli]") {
  watch_registry w;
  w.add("/a", watch_kind::child);
  w.add("/a", watch_kind::exist);
  w.add("/a", watch_kind::persistent_recursive);
  CHECK(!w.has("/b", watcher_type::any));
  CHECK(w.removed("/a", watcher_type::children) == events{jute::event_type::child_watch_removed});
  CHECK(!w.has("/a", watcher_type::children));
  CHECK(w.removed("/a", watcher_type::any) ==
        events{jute::event_type::data_watch_removed, jute::event_type::persistent_watch_removed});
  CHECK(!w.has("/a", watcher_type::any));
}
