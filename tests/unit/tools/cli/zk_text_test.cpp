// ZooKeeper's text forms: permissions, ACLs, StatsTrack, WatchedEvent.
#include "tools/cli/zk_text.hpp"

#include <catch2/catch.hpp>

using namespace paddock::cli;
namespace jute = paddock::jute;

TEST_CASE("permissions print in cdrwa order", "[cli]") {
  CHECK(perm_string(jute::perms::all) == "cdrwa");
  CHECK(perm_string(jute::perms::read | jute::perms::admin) == "ra");
  CHECK(perm_string(0).empty());
}

TEST_CASE("AclParser: scheme:id:perm, the id may hold colons", "[cli]") {
  std::string warnings;
  auto acls = parse_acl("world:anyone:r,digest:u:abc=:cdrwa,ip:10.0.0.1:rw", warnings);
  REQUIRE(acls.size() == 3);
  CHECK(acls[0] == jute::acl{jute::perms::read, {"world", "anyone"}});
  CHECK(acls[1] == jute::acl{jute::perms::all, {"digest", "u:abc="}});
  CHECK(acls[2].perms == (jute::perms::read | jute::perms::write));
  CHECK(warnings.empty());
  acls = parse_acl("world:anyone,auth::rx", warnings);
  CHECK(acls.size() == 1);
  CHECK(warnings == "world:anyone does not have the form scheme:id:perm\n"
                    "Unknown perm type: x\n");
}

TEST_CASE("getAcl prints the Id in jute's CSV form", "[cli]") {
  CHECK(acl_entry_text({jute::perms::all, {"world", "anyone"}}) == "'world,'anyone\n: cdrwa");
}

TEST_CASE("StatsTrack reads and writes ZooKeeper's quota text", "[cli]") {
  auto t = parse_stats_track("count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
  REQUIRE(t);
  CHECK(t->get("count") == 5);
  CHECK(t->get("bytes") == -1);
  CHECK(t->get("countHardLimit") == -1);
  CHECK(t->to_string() == "count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
  auto stats = parse_stats_track("count=0,bytes=0");
  REQUIRE(stats);
  CHECK(stats->to_string() == "count=0,bytes=0");
  CHECK(stats_track{}.to_string() == "count=-1,bytes=-1");
  CHECK(!parse_stats_track("count"));
  CHECK(quota_limit_path("/a/b") == "/zookeeper/quota/a/b/zookeeper_limits");
  CHECK(quota_stat_path("/a") == "/zookeeper/quota/a/zookeeper_stats");
}

TEST_CASE("events read as WatchedEvent.toString", "[cli]") {
  CHECK(event_text({jute::event_type::node_data_changed, jute::keeper_state::sync_connected,
                    "/x"}) == "WatchedEvent state:SyncConnected type:NodeDataChanged path:/x");
  CHECK(event_text({jute::event_type::none, jute::keeper_state::disconnected, ""}) ==
        "WatchedEvent state:Disconnected type:None path:null");
}
