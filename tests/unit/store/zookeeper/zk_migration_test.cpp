// A whole ZooKeeper data directory imported: the newest snapshot that loads (a damaged newest
// one falls back to an older one), the logs after it (from the newest log that starts at or
// before the snapshot), written as a Paddock data dir that recovery reads; refusals leave
// nothing behind. And the way back: a Paddock data dir exported as a ZooKeeper snapshot.
#include "compressors.hpp"
#include "scratch_dir.hpp"
#include "store/disk/epoch_file.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/recovery.hpp"
#include "store/zookeeper/zk_migration.hpp"
#include "store/zookeeper/zk_session_password.hpp"
#include "store/zookeeper/zk_snapshot.hpp"
#include "zk_files.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

using namespace paddock;
using namespace paddock::store::zookeeper;
using paddock::testing::read_all;
using paddock::testing::scratch_dir;
using paddock::testing::write_all;
namespace zkf = paddock::testing::zk;
namespace op = jute::opcode;
namespace fs = std::filesystem;

namespace {

constexpr int64_t session = 0x100000000000001;

// A ZooKeeper data dir: snapshot.0 (the empty tree), log.1 with a session and /a,
// snapshot.2 (fuzzy: it already holds /a), log.3 with /a's setData and /b.
void write_zookeeper_dir(const std::string& dir) {
  fs::create_directories(dir + "/version-2");
  auto empty = zkf::base_snapshot();
  write_all(dir + "/version-2/snapshot.0", empty.bytes());
  write_all(dir + "/version-2/log.1",
            zkf::log_file({{session, 1, 10, op::create_session, zkf::int_txn(5000)},
                           {session, 2, 11, op::create, zkf::create_txn("/a", "x", false, 1)}},
                          1024));
  auto fuzzy = zkf::base_snapshot();
  fuzzy.sessions[session] = 5000;
  fuzzy.nodes[0].stat.cversion = 1;
  fuzzy.nodes[0].stat.pzxid = 2;
  fuzzy.nodes.push_back(
      {"/a", "x", -1, {.czxid = 2, .mzxid = 2, .ctime = 11, .mtime = 11, .pzxid = 2}});
  write_all(dir + "/version-2/snapshot.2", fuzzy.bytes());
  write_all(dir + "/version-2/log.3",
            zkf::log_file({{session, 3, 12, op::set_data, zkf::set_data_txn("/a", "y", 1)},
                           {session, 4, 13, op::create, zkf::create_txn("/b", "", true, 2)}},
                          512));
  write_all(dir + "/version-2/acceptedEpoch", "0");
  write_all(dir + "/version-2/currentEpoch", "0");
}

store::data_tree recover_paddock(const std::string& data_dir) {
  store::posix_file_system disk;
  auto r = store::recover(disk, data_dir + "/paddock", data_dir + "/paddock");
  INFO(r.status.message);
  REQUIRE(r.status.ok());
  return std::move(r.tree);
}

} // namespace

TEST_CASE("zk import: snapshot plus logs into a Paddock data dir recovery reads") {
  scratch_dir scratch;
  auto zk = scratch.path() + "/zk";
  auto to = scratch.path() + "/paddock-data";
  write_zookeeper_dir(zk);

  auto r = import_zookeeper(zk, "", to);
  INFO(r.message);
  REQUIRE(r.exit_code == 0);
  CHECK(r.message.find("snapshot.2") != std::string::npos);
  CHECK(r.message.find("2 log records replayed") != std::string::npos);

  auto tree = recover_paddock(to);
  CHECK(tree.last_zxid() == 4);
  std::string data;
  jute::stat st;
  REQUIRE(tree.get_data("/a", data, st) == jute::error_code::ok);
  CHECK(data == "y");
  CHECK(st.version == 1);
  CHECK(st.mzxid == 3);
  CHECK(st.czxid == 2);
  REQUIRE(tree.get_data("/b", data, st) == jute::error_code::ok);
  CHECK(st.ephemeral_owner == session);
  auto sessions = tree.sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].timeout_ms == 5000);
  CHECK(sessions[0].passwd == zk_session_password(session));
  // The imported epochs.
  store::posix_file_system disk;
  CHECK(store::read_epoch_file(disk, to + "/paddock/currentEpoch").value == 0);
}

TEST_CASE("zk import: the version-2 folder itself and a separate log dir are accepted") {
  scratch_dir scratch;
  auto zk = scratch.path() + "/zk";
  write_zookeeper_dir(zk);
  auto logs = scratch.path() + "/zk-logs";
  fs::create_directories(logs + "/version-2");
  fs::rename(zk + "/version-2/log.1", logs + "/version-2/log.1");
  fs::rename(zk + "/version-2/log.3", logs + "/version-2/log.3");
  auto r = import_zookeeper(zk + "/version-2", logs, scratch.path() + "/out");
  INFO(r.message);
  REQUIRE(r.exit_code == 0);
  CHECK(recover_paddock(scratch.path() + "/out").last_zxid() == 4);
}

TEST_CASE("zk import: a damaged newest snapshot falls back to the older one and its logs") {
  scratch_dir scratch;
  auto zk = scratch.path() + "/zk";
  write_zookeeper_dir(zk);
  auto snap = read_all(zk + "/version-2/snapshot.2");
  snap[30] ^= 0x10;
  write_all(zk + "/version-2/snapshot.2", snap);
  auto r = import_zookeeper(zk, "", scratch.path() + "/out");
  INFO(r.message);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].find("snapshot.2") != std::string::npos);
  CHECK(r.message.find("snapshot.0") != std::string::npos);
  CHECK(r.message.find("4 log records replayed") != std::string::npos);
  auto tree = recover_paddock(scratch.path() + "/out");
  CHECK(tree.last_zxid() == 4);
  std::string data;
  jute::stat st;
  REQUIRE(tree.get_data("/a", data, st) == jute::error_code::ok);
  CHECK(data == "y");
}

// The data dir above with its snapshots compressed as ZooKeeper writes them under
// zookeeper.snapshot.compression.method (snapshot.<zxid>.gz, snapshot.<zxid>.snappy).
static void compress_snapshots(const std::string& dir, const std::string& suffix) {
  for (const char* name : {"snapshot.0", "snapshot.2"}) {
    auto path = dir + "/version-2/" + name;
    auto plain = read_all(path);
    write_all(path + suffix,
              suffix == ".gz" ? zkf::gzip_compress(plain) : zkf::snappy_java_compress(plain));
    fs::remove(path);
  }
}

TEST_CASE("zk import: gz and snappy snapshots import as the plain ones do") {
  for (const std::string suffix : {".gz", ".snappy"}) {
    scratch_dir scratch;
    auto zk = scratch.path() + "/zk";
    write_zookeeper_dir(zk);
    compress_snapshots(zk, suffix);
    auto r = import_zookeeper(zk, "", scratch.path() + "/out");
    INFO(suffix << ": " << r.message);
    REQUIRE(r.exit_code == 0);
    CHECK(r.notes.empty());
    CHECK(r.message.find("snapshot.2" + suffix) != std::string::npos);
    CHECK(r.message.find("2 log records replayed") != std::string::npos);
    auto tree = recover_paddock(scratch.path() + "/out");
    CHECK(tree.last_zxid() == 4);
    std::string data;
    jute::stat st;
    REQUIRE(tree.get_data("/a", data, st) == jute::error_code::ok);
    CHECK(data == "y");
    CHECK(st.czxid == 2);
  }
}

TEST_CASE("zk import: a damaged compressed snapshot falls back to an older one of any kind") {
  // Mixed suffixes, as after changing the compression method: the newest (by zxid, whatever
  // the suffix) is tried first, as ZooKeeper's FileSnap does.
  const std::string suffix = GENERATE(std::string(".gz"), std::string(".snappy"));
  auto pack = [&](const std::string& plain) {
    return suffix == ".gz" ? zkf::gzip_compress(plain) : zkf::snappy_java_compress(plain);
  };
  scratch_dir scratch;
  auto zk = scratch.path() + "/zk";
  write_zookeeper_dir(zk);
  auto path = zk + "/version-2/snapshot.2";
  auto plain = read_all(path);
  fs::remove(path);
  std::string why;
  SECTION("cut short") {
    auto packed = pack(plain);
    write_all(path + suffix, packed.substr(0, packed.size() - 3));
    why = "truncated";
  }
  SECTION("not compressed at all") {
    write_all(path + suffix, plain);
    why = "no snappy-java stream header";
    if (suffix == ".gz") why = "not gzip";
  }
  SECTION("a plain snapshot with a damaged seal, compressed") {
    plain[30] ^= 0x10;
    write_all(path + suffix, pack(plain));
    why = "checksum mismatch";
  }
  auto r = import_zookeeper(zk, "", scratch.path() + "/out");
  INFO(suffix << ": " << r.message);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.notes.size() == 1);
  INFO(r.notes[0]);
  CHECK(r.notes[0].find("snapshot.2" + suffix) != std::string::npos);
  CHECK(r.notes[0].find(why) != std::string::npos);
  CHECK(r.message.find("snapshot.0 ") != std::string::npos);
  CHECK(r.message.find("4 log records replayed") != std::string::npos);
  CHECK(recover_paddock(scratch.path() + "/out").last_zxid() == 4);
}

TEST_CASE("zk import: ZooKeeper's digests are checked against the replayed tree") {
  scratch_dir scratch;
  auto zk = scratch.path() + "/zk";
  fs::create_directories(zk + "/version-2");
  // The digests ZooKeeper would log: the tree's after each txn (test_zookeeper_migration.py
  // checks the computation itself against Debian's ZooKeeper's own figures).
  zk_tree replica;
  zk_snapshot_info info;
  std::string error;
  REQUIRE(parse_zk_snapshot(zkf::base_snapshot().bytes(), replica, info, error));
  std::vector<zkf::log_txn> txns{{session, 1, 10, op::create_session, zkf::int_txn(5000)},
                                 {session, 2, 11, op::create, zkf::create_txn("/a", "x", false, 1)},
                                 {session, 3, 12, op::set_data, zkf::set_data_txn("/a", "y", 1)}};
  for (auto& t : txns) {
    REQUIRE(apply_txn(replica, {t.client, 1, t.zxid, t.time, t.type}, t.body, error));
    t.digest_version = 2;
    t.digest = replica.digest;
  }
  write_all(zk + "/version-2/snapshot.0", zkf::base_snapshot().bytes());
  SECTION("all of them agree") {
    write_all(zk + "/version-2/log.1", zkf::log_file(txns));
    auto r = import_zookeeper(zk, "", scratch.path() + "/out");
    INFO(r.message);
    REQUIRE(r.exit_code == 0);
    CHECK(r.notes.empty());
    CHECK(r.message.find("checked 3 times, 0 mismatches") != std::string::npos);
  }
  SECTION("one that disagrees is reported, and the import goes on as ZooKeeper does") {
    txns[1].digest ^= 1;
    write_all(zk + "/version-2/log.1", zkf::log_file(txns));
    auto r = import_zookeeper(zk, "", scratch.path() + "/out");
    INFO(r.message);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0].find("digest mismatch") != std::string::npos);
    CHECK(r.notes[0].find("zxid 0x2") != std::string::npos);
  }
}

TEST_CASE("zk import: refusals write nothing") {
  scratch_dir scratch;
  auto zk = scratch.path() + "/zk";
  write_zookeeper_dir(zk);
  auto out = scratch.path() + "/out";
  auto nothing_left = [&] {
    for (const auto& e : fs::directory_iterator(scratch.path()))
      if (e.path().filename().string().rfind(".out", 0) == 0) return false;
    return !fs::exists(out);
  };
  SECTION("every snapshot damaged") {
    for (const char* name : {"snapshot.0", "snapshot.2"}) {
      auto bytes = read_all(zk + "/version-2/" + name);
      bytes[20] ^= 0x01;
      write_all(zk + "/version-2/" + name, bytes);
    }
    auto r = import_zookeeper(zk, "", out);
    CHECK(r.exit_code == 2);
    CHECK(r.message.find("no valid snapshot") != std::string::npos);
    CHECK(nothing_left());
  }
  SECTION("a log record with a bad checksum") {
    auto bytes = read_all(zk + "/version-2/log.3");
    bytes[16 + 12 + 20] ^= 0x01;
    write_all(zk + "/version-2/log.3", bytes);
    auto r = import_zookeeper(zk, "", out);
    CHECK(r.exit_code == 2);
    CHECK(r.message.find("checksum mismatch") != std::string::npos);
    CHECK(nothing_left());
  }
  SECTION("a non-empty target") {
    fs::create_directories(out);
    write_all(out + "/x", "x");
    auto r = import_zookeeper(zk, "", out);
    CHECK(r.exit_code == 2);
    CHECK(r.message.find("not empty") != std::string::npos);
  }
  SECTION("no ZooKeeper data at all") {
    fs::create_directories(scratch.path() + "/empty");
    auto r = import_zookeeper(scratch.path() + "/empty", "", out);
    CHECK(r.exit_code == 2);
    CHECK(nothing_left());
  }
}

TEST_CASE("zk import: a compressed snapshot that would inflate past the limit is skipped, not "
          "inflated") {
  // A gzip bomb: a few KiB that inflate to 4 MiB, as the newest snapshot. With a 1 MiB limit
  // it is refused as damaged and the older plain snapshot.2 is used, as for any damaged one.
  scratch_dir scratch;
  auto zk = scratch.path() + "/zk";
  write_zookeeper_dir(zk);
  const auto bomb = zkf::gzip_compress(std::string(4 << 20, '\0'), 9);
  REQUIRE(bomb.size() < 64 * 1024);
  write_all(zk + "/version-2/snapshot.5.gz", bomb);
  auto r = import_zookeeper(zk, "", scratch.path() + "/out", size_t{1} << 20);
  INFO(r.message);
  REQUIRE(r.exit_code == 0);
  bool noted = false;
  for (const auto& n : r.notes)
    noted = noted || (n.find("snapshot.5.gz") != std::string::npos &&
                      n.find("more than 1048576 bytes") != std::string::npos);
  CHECK(noted);
  auto tree = recover_paddock(scratch.path() + "/out");
  CHECK(tree.last_zxid() == 4);
  CHECK(inflated_snapshot_limit() >= (size_t{64} << 20)); // this machine has far more
}

TEST_CASE("zk export: the imported tree back as a ZooKeeper snapshot with the epochs") {
  scratch_dir scratch;
  auto zk = scratch.path() + "/zk";
  write_zookeeper_dir(zk);
  auto paddock_dir = scratch.path() + "/paddock-data";
  REQUIRE(import_zookeeper(zk, "", paddock_dir).exit_code == 0);
  fs::create_directories(scratch.path() + "/back"); // empty: allowed
  auto r = export_zookeeper(paddock_dir, "", scratch.path() + "/back");
  INFO(r.message);
  REQUIRE(r.exit_code == 0);
  auto bytes = read_all(scratch.path() + "/back/version-2/snapshot.4");
  zk_tree tree;
  zk_snapshot_info info;
  std::string error;
  REQUIRE(parse_zk_snapshot(bytes, tree, info, error));
  CHECK(tree.sessions.at(session) == 5000);
  CHECK(tree.nodes.at("/a").data == "y");
  CHECK(tree.nodes.at("/a").stat.version == 1);
  CHECK(tree.nodes.at("/b").stat.ephemeral_owner == session);
  CHECK(read_all(scratch.path() + "/back/version-2/currentEpoch").find('0') == 0);
  // A second export into the same place is refused.
  CHECK(export_zookeeper(paddock_dir, "", scratch.path() + "/back").exit_code == 2);
}

TEST_CASE("zk import: ZooKeeper's /zookeeper/config is not imported as a configuration") {
  // ZooKeeper's membership names ZooKeeper's servers; a Paddock restart with reconfigEnabled
  // must not take it for one its ensemble agreed on (actors/zab_recovery.cpp). The node comes
  // out as a fresh tree has it, its ACL kept; the first leader stamps Paddock's.
  scratch_dir scratch;
  auto zk = scratch.path() + "/zk";
  fs::create_directories(zk + "/version-2");
  auto snap = zkf::base_snapshot();
  snap.nodes[3].data = "server.1=zk1:2888:3888:participant\nversion=100000000";
  snap.nodes[3].stat.mzxid = 0x100000000;
  snap.nodes[3].stat.mtime = 77;
  snap.nodes[3].stat.version = -1;
  // An operator's ACL, not ZooKeeper's default (read_acl_unsafe, which a fresh tree has too):
  // the reset must keep it, not only happen to match it.
  const jute::acl_list operator_acl = {
      jute::acl{jute::perms::read | jute::perms::admin,
                jute::id{"digest", "admin:x1nq8J5GOJVPY6zgBh4lYgYDj6E="}}};
  snap.acls[2] = operator_acl;
  snap.nodes[3].acl_ref = 2;
  write_all(zk + "/version-2/snapshot.100000000", snap.bytes());
  auto to = scratch.path() + "/paddock-data";
  auto r = import_zookeeper(zk, "", to);
  INFO(r.message);
  REQUIRE(r.exit_code == 0);

  auto tree = recover_paddock(to);
  CHECK(tree.last_zxid() == 0x100000000);
  std::string data;
  jute::stat st;
  REQUIRE(tree.get_data("/zookeeper/config", data, st) == jute::error_code::ok);
  std::string fresh_data;
  jute::stat fresh;
  REQUIRE(store::data_tree{}.get_data("/zookeeper/config", fresh_data, fresh) ==
          jute::error_code::ok);
  CHECK(data == fresh_data);
  CHECK(st.mzxid == fresh.mzxid);
  CHECK(st.mtime == fresh.mtime);
  CHECK(st.version == fresh.version);
  CHECK(st.version != -1); // what zab_recovery would trust
  jute::acl_list acl;
  REQUIRE(tree.get_acl("/zookeeper/config", acl, st) == jute::error_code::ok);
  CHECK(acl == operator_acl);

  // Exported, ZooKeeper finds no stale membership either (it stamps its own at start-up).
  auto back = scratch.path() + "/back";
  REQUIRE(export_zookeeper(to, "", back).exit_code == 0);
  zk_tree exported;
  zk_snapshot_info info;
  std::string error;
  REQUIRE(
      parse_zk_snapshot(read_all(back + "/version-2/snapshot.100000000"), exported, info, error));
  CHECK(exported.nodes.at("/zookeeper/config").data.empty());
  CHECK(exported.nodes.at("/zookeeper/config").stat.mzxid == 0);
}
