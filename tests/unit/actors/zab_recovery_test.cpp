// ZAB's state at start-up from what recovery finds on disk, and what the core makes of it: the
// configuration the server last saw, whether a logged reconfig or one only the snapshot holds.
#include "actors/zab_recovery.hpp"
#include "config/membership.hpp"
#include "protocol/zab/peer.hpp"
#include "scratch_dir.hpp"
#include "stand_ins.hpp"
#include "store/disk/log_format.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/snapshot.hpp"
#include "store/disk/txn_codec.hpp"
#include "store/disk/txn_log_writer.hpp"

#include <catch2/catch.hpp>

using namespace paddock;

namespace {

config::peer_address server(int64_t id, bool observer = false) {
  config::peer_address p;
  p.id = id;
  p.host = "127.0.0.1";
  p.quorum_port = static_cast<int32_t>(2000 + id);
  p.election_port = static_cast<int32_t>(3000 + id);
  p.observer = observer;
  return p;
}

config::members_map servers(std::initializer_list<int64_t> ids) {
  config::members_map m;
  for (auto id : ids)
    m[id] = server(id);
  return m;
}

// The reconfig txn a leader logs: a set_data of /zookeeper/config with the server lines.
store::txn reconfig_txn(const config::members_map& members) {
  store::txn t;
  t.type = jute::opcode::reconfig;
  t.ops.push_back(store::txn_op{jute::opcode::set_data,
                                jute::set_data_request{std::string(store::data_tree::config_node),
                                                       config::members_text(members), -1}});
  return t;
}

int64_t zxid(int64_t counter) {
  return zab::make_zxid(1, counter);
}

// The session every create below belongs to: the tree refuses a create by a session it does
// not know (SessionExpired).
constexpr int64_t session_id = 0x100;

// Opens that session at the epoch's start (zxid(0)), before any txn of the tests.
void open_session(store::data_tree& tree) {
  auto session = testing::create_session_txn(session_id);
  session.zxid = zxid(0);
  REQUIRE(tree.apply(session).err == jute::error_code::ok);
}

// A data directory as an ensemble member leaves it: the txns in the log (bodies with zxid 0,
// as a leader's core stamps them), and a snapshot of the tree after the first `in_snapshot`.
struct data_dir {
  testing::scratch_dir dir;
  store::posix_file_system disk;
  config::server_config cfg;
  data_dir() {
    cfg.data_dir = dir.path();
    cfg.server_id = 1;
    cfg.reconfig_enabled = true;
    // zoo.cfg names zoo.cfg.dynamic.100000000 (active_config() below): the server ran with
    // dynamic reconfiguration, so its data may know a newer configuration than its files.
    cfg.config_version = zab::make_zxid(1, 0);
    REQUIRE(disk.create_directories(cfg.snap_dir()).ok());
  }

  void write(std::vector<store::txn> txns, size_t in_snapshot) {
    // The session the creates belong to is opened before the log's first txn, and the
    // start-up snapshot holds it, so the log's creates apply at recovery too.
    store::data_tree snapshotted;
    open_session(snapshotted);
    REQUIRE(store::write_snapshot(disk, snapshotted, cfg.snap_dir()).ok());
    store::txn_log_writer log(disk, cfg.log_dir(), 0, true);
    REQUIRE(log.start_segment(txns.front().zxid).ok());
    for (size_t i = 0; i < txns.size(); ++i) {
      const int64_t zxid = txns[i].zxid;
      std::string body, record;
      txns[i].zxid = 0;
      store::encode_txn(txns[i], body);
      txns[i].zxid = zxid;
      store::log_format::append_record(record, zxid, body);
      REQUIRE(log.write(record).ok());
      if (i < in_snapshot) REQUIRE(snapshotted.apply(txns[i]).err == jute::error_code::ok);
      if (i + 1 == in_snapshot)
        REQUIRE(store::write_snapshot(disk, snapshotted, cfg.snap_dir()).ok());
    }
    REQUIRE(log.sync().ok());
  }

  // What the server does at start-up: recovery, then ZAB's persistent state.
  zab::persistent_state load() {
    auto recovered = store::recover(disk, cfg.snap_dir(), cfg.log_dir(), 1000);
    REQUIRE(recovered.status.ok());
    auto state = actors::load_zab_state(disk, cfg, recovered, recovered.tree);
    REQUIRE(state);
    tree = std::move(recovered.tree);
    return std::move(*state);
  }

  // Whether the tree load() recovered holds `path`: the txns applied, not only got logged.
  bool holds(const std::string& path) {
    std::string data;
    jute::stat stat;
    return tree.get_data(path, data, stat) == jute::error_code::ok;
  }

  store::data_tree tree; // what load() recovered
};

store::txn at(int64_t counter, store::txn t) {
  t.zxid = zxid(counter);
  return t;
}

store::txn create(int64_t counter, const std::string& path) {
  return at(counter, testing::create_txn(static_cast<int32_t>(counter), path, "d", session_id));
}

// zoo.cfg's configuration, as its dynamic file gives it: servers 1-3, stamped by the first
// leader of epoch 1.
zab::ensemble active_config() {
  zab::ensemble e;
  e.members = {{1, true}, {2, true}, {3, true}};
  e.version = zxid(0);
  e.text = config::members_text(servers({1, 2, 3}));
  return e;
}

} // namespace

TEST_CASE("zab recovery: a reconfig only the snapshot holds is the last seen configuration, "
          "pending in the restarted core") {
  data_dir d;
  const auto added = servers({1, 2, 3, 4});
  // The reconfig (1, 2) is in the snapshot of (1, 3); the log after it has none.
  d.write({create(1, "/a"), at(2, reconfig_txn(added)), create(3, "/b"), create(4, "/c")}, 3);
  auto state = d.load();
  CHECK(state.last_logged == zxid(4));
  CHECK((d.holds("/a") && d.holds("/b") && d.holds("/c")));
  REQUIRE(state.recent.size() == 1); // the log after the snapshot
  REQUIRE(state.last_seen_config);
  CHECK(state.last_seen_config->version == zxid(2));
  CHECK(state.last_seen_config->members ==
        std::map<zab::server_id, bool>{{1, true}, {2, true}, {3, true}, {4, true}});
  // The same text a reconfig txn carries: what a DIFF or NEWLEADER would send.
  CHECK(state.last_seen_config->text == config::members_text(added));

  zab::peer core(1, active_config(), zab::timing{}, std::move(state));
  REQUIRE(core.pending_config());
  CHECK(core.pending_config()->version == zxid(2));
  CHECK(core.pending_config()->is_voter(4));
  CHECK(core.config() == active_config()); // active once a leader commits it (zab core tests)
}

TEST_CASE("zab recovery: a reconfig logged after the snapshot is newer than the tree's "
          "snapshot one and wins") {
  data_dir d;
  const auto with_4 = servers({1, 2, 3, 4});
  auto with_4_observer = with_4;
  with_4_observer[4].observer = true;
  d.write({at(1, reconfig_txn(with_4)), create(2, "/a"), at(3, reconfig_txn(with_4_observer))}, 2);
  auto state = d.load();
  CHECK(d.holds("/a"));
  REQUIRE(state.last_seen_config);
  CHECK(state.last_seen_config->version == zxid(3));
  CHECK(state.last_seen_config->is_observer(4));
  zab::peer core(1, active_config(), zab::timing{}, std::move(state));
  REQUIRE(core.pending_config());
  CHECK(core.pending_config()->version == zxid(3));

  SECTION("and, given apart, the log's wins over an older tree configuration") {
    auto from_log = actors::reconfig_in(zxid(3), [&] {
      std::string body;
      store::encode_txn(reconfig_txn(with_4_observer), body);
      return body;
    }());
    REQUIRE(from_log);
    zab::ensemble from_tree = *from_log;
    from_tree.version = zxid(1);
    from_tree.members[4] = true;
    CHECK(actors::last_seen_config(from_log, from_tree) == from_log);
    CHECK(actors::last_seen_config(std::nullopt, from_tree) == from_tree);
    from_tree.version = zxid(3); // the same txn, seen twice: the log's
    CHECK(actors::last_seen_config(from_log, from_tree) == from_log);
  }
}

TEST_CASE("zab recovery: a tree whose configuration is the active one leaves nothing pending") {
  data_dir d;
  store::data_tree tree;
  // The activation of zoo.cfg's configuration (the first leader's stamp) is what the node
  // shows, then the tree snapshotted.
  const auto active = active_config();
  tree.set_config_node(config::config_node_data(active.text, active.version), active.version, 0);
  open_session(tree);
  REQUIRE(tree.apply(create(1, "/a")).err == jute::error_code::ok);
  REQUIRE(store::write_snapshot(d.disk, tree, d.cfg.snap_dir()).ok());
  auto state = d.load();
  CHECK(d.holds("/a"));
  REQUIRE(state.last_seen_config);
  CHECK(state.last_seen_config->version == active.version);
  CHECK(state.last_seen_config->text == active.text);
  zab::peer core(1, active, zab::timing{}, std::move(state));
  CHECK_FALSE(core.pending_config());
  CHECK(core.config() == active);
}

TEST_CASE("zab recovery: with reconfigEnabled=false the tree's configuration is not looked at") {
  // zoo.cfg alone says who the members are then; the node holds what an earlier leader
  // stamped, maybe before an operator edited zoo.cfg.
  data_dir d;
  d.cfg.reconfig_enabled = false;
  store::data_tree tree;
  const auto before_edit = config::members_text(servers({1, 2, 3, 4}));
  tree.set_config_node(config::config_node_data(before_edit, zxid(0)), zxid(0), 0);
  open_session(tree);
  REQUIRE(tree.apply(create(1, "/a")).err == jute::error_code::ok);
  REQUIRE(store::write_snapshot(d.disk, tree, d.cfg.snap_dir()).ok());
  auto state = d.load();
  CHECK_FALSE(state.last_seen_config);
  zab::ensemble zoo_cfg = active_config();
  zoo_cfg.version = 0; // never stamped: reconfigEnabled=false writes no dynamic file
  zab::peer core(1, zoo_cfg, zab::timing{}, std::move(state));
  CHECK_FALSE(core.pending_config());
}

TEST_CASE("zab recovery: server lines in zoo.cfg (version 0) are the membership, whatever the "
          "tree holds") {
  // An ensemble rebuilt from its survivors (zoo.cfg names 1 and 2, the dynamic files gone) or
  // data imported from ZooKeeper: the tree's newer configuration names servers that are not
  // coming back, and taking it as pending would leave no quorum to elect a leader.
  data_dir d;
  d.cfg.config_version = 0;
  d.write({create(1, "/a"), at(2, reconfig_txn(servers({1, 2, 3, 4, 5}))), create(3, "/b")}, 3);
  auto state = d.load();
  CHECK_FALSE(state.last_seen_config);
  zab::ensemble survivors;
  survivors.members = {{1, true}, {2, true}};
  survivors.text = config::members_text(servers({1, 2}));
  zab::peer core(1, survivors, zab::timing{}, std::move(state));
  CHECK_FALSE(core.pending_config());
  CHECK(core.config() == survivors);
}

TEST_CASE("zab recovery: a /zookeeper/config a client's setData wrote is not a configuration") {
  // A super user's setData leaves the node's version >= 0; only a reconfig's apply and an
  // activation leave -1.
  data_dir d;
  store::data_tree tree;
  const auto written = config::members_text(servers({1, 2, 3, 4}));
  auto session = testing::create_session_txn(0x100);
  session.zxid = zxid(4);
  REQUIRE(tree.apply(session).err == jute::error_code::ok);
  auto set = testing::set_data_txn(1, std::string(store::data_tree::config_node),
                                   config::config_node_data(written, zxid(5)), 0x100);
  set.zxid = zxid(5);
  set.auth = std::make_shared<const std::vector<jute::id>>(
      std::vector<jute::id>{{"super", ""}}); // WRITE on /zookeeper/config: the super user
  REQUIRE(tree.apply(set).err == jute::error_code::ok);
  std::string data;
  jute::stat stat;
  REQUIRE(tree.get_data(store::data_tree::config_node, data, stat) == jute::error_code::ok);
  CHECK(stat.version == 1);
  CHECK(stat.mzxid == zxid(5)); // newer than the active configuration (zxid(0))
  CHECK_FALSE(actors::config_in_tree(tree));
  REQUIRE(store::write_snapshot(d.disk, tree, d.cfg.snap_dir()).ok());
  auto state = d.load();
  CHECK_FALSE(state.last_seen_config);
  zab::peer core(1, active_config(), zab::timing{}, std::move(state));
  CHECK_FALSE(core.pending_config());
  CHECK(core.config() == active_config());
}

TEST_CASE("zab recovery: the epochs come from the epoch files, else from the last zxid") {
  data_dir d;
  d.write({create(1, "/a"), create(2, "/b")}, 0);
  auto state = d.load();
  CHECK(state.current_epoch == 1);
  CHECK(state.accepted_epoch == 1);
  CHECK(state.last_logged == zxid(2));
  CHECK(state.recent.size() == 2);
  CHECK((d.holds("/a") && d.holds("/b"))); // replayed from the log alone
  CHECK_FALSE(state.last_seen_config);     // a fresh tree's node names no server
}
