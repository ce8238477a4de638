// Snapshots and recovery: a tree written and loaded back is the same tree (every Stat, ACL,
// sequence counter and session); a damaged snapshot is refused and recovery falls back to an
// older one plus the log; txns survive the Protobuf round trip unchanged.
#include "scratch_dir.hpp"
#include "store/disk/log_format.hpp"
#include "store/disk/log_truncate.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/snapshot.hpp"
#include "store/disk/txn_codec.hpp"
#include "store/disk/txn_log_writer.hpp"
#include "tree_description.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::describe_tree;
using paddock::testing::read_all;
using paddock::testing::scratch_dir;
using paddock::testing::write_all;
namespace op = jute::opcode;

namespace {

// The real file system: these tests check the formats on real files.
posix_file_system disk;

constexpr int64_t session = 0x0100000000000001;

// Builds txns with consecutive zxids, applies them, and keeps them for the log.
struct history {
  data_tree tree;
  std::vector<txn> txns;
  int64_t zxid = 0;

  void add(txn t) {
    t.zxid = ++zxid;
    t.time_ms = 1000 + zxid;
    tree.apply(t);
    txns.push_back(std::move(t));
  }
  void create(const std::string& path, const std::string& data, int32_t flags = 0,
              jute::acl_list acl = jute::open_acl_unsafe()) {
    txn t;
    t.type = op::create2;
    t.session_id = session;
    t.ops.push_back({op::create2, jute::create_request{path, data, std::move(acl), flags, -1}});
    add(std::move(t));
  }
  void set(const std::string& path, const std::string& data) {
    txn t;
    t.type = op::set_data;
    t.session_id = session;
    t.ops.push_back({op::set_data, jute::set_data_request{path, data, -1}});
    add(std::move(t));
  }
  void open_session(int64_t id, int32_t timeout) {
    txn t;
    t.type = op::create_session;
    t.session_id = id;
    t.session_timeout_ms = timeout;
    t.session_passwd = std::string(16, static_cast<char>(id & 0x7f));
    add(std::move(t));
  }
  void multi(std::vector<txn_op> ops) {
    txn t;
    t.type = op::multi;
    t.session_id = session;
    t.ops = std::move(ops);
    t.auth = std::make_shared<const std::vector<jute::id>>(
        std::vector<jute::id>{{"ip", "127.0.0.1"}, {"digest", "u:x"}});
    add(std::move(t));
  }
};

history sample_history() {
  history h;
  h.open_session(session, 30000);
  h.open_session(session + 1, 4000);
  h.create("/app", "root");
  h.create("/app/seq-", "a", 2); // persistent sequential
  h.create("/app/seq-", "b", 2);
  h.create("/app/eph", "e", 1);      // ephemeral of `session`
  h.create("/app/container", "", 4); // container
  h.create("/secret", "s", 0, {{31, {"digest", "u:hash"}}, {1, {"world", "anyone"}}});
  h.set("/app", "root2");
  h.create("/app/binary", std::string("\0\xff\x80zz", 5));
  h.multi({{op::create, jute::create_request{"/m1", "1", jute::open_acl_unsafe(), 0, -1}},
           {op::set_data, jute::set_data_request{"/app", "root3", 1}},
           {op::check, jute::check_version_request{"/m1", 0}}});
  h.multi({{op::create, jute::create_request{"/never", "1", jute::open_acl_unsafe(), 0, -1}},
           {op::remove, jute::delete_request{"/missing", -1}}}); // fails: consumes its zxid
  h.create("/deep", "");
  std::string path = "/deep";
  for (int i = 0; i < 200; ++i) {
    path += "/d";
    h.create(path, std::to_string(i));
  }
  return h;
}

void write_log(const std::string& dir, const std::vector<txn>& txns, size_t from, size_t to) {
  txn_log_writer w(disk, dir, 0, false);
  REQUIRE(w.start_segment(txns[from].zxid).ok());
  std::string recs, body;
  for (size_t i = from; i < to; ++i) {
    encode_txn(txns[i], body);
    log_format::append_record(recs, txns[i].zxid, body);
  }
  REQUIRE(w.write(recs).ok());
}

// The whole history as one fsync'ed log segment starting at zxid 1.
void write_synced_log(const std::string& dir, const std::vector<txn>& txns) {
  txn_log_writer w(disk, dir, 0, true);
  REQUIRE(w.start_segment(1).ok());
  std::string records, body;
  for (const auto& t : txns) {
    encode_txn(t, body);
    log_format::append_record(records, t.zxid, body);
  }
  REQUIRE(w.write(records).ok());
  REQUIRE(w.sync().ok());
}

} // namespace

TEST_CASE("every txn survives the Protobuf round trip") {
  auto h = sample_history();
  std::string bytes;
  for (const auto& t : h.txns) {
    encode_txn(t, bytes);
    txn back;
    REQUIRE(decode_txn(bytes, back));
    std::string again;
    encode_txn(back, again);
    CHECK(again == bytes);
    CHECK(back.zxid == t.zxid);
    CHECK(back.session_passwd == t.session_passwd);
    CHECK(back.ops.size() == t.ops.size());
    CHECK(std::vector<jute::id>(back.auth_ids().begin(), back.auth_ids().end()) ==
          std::vector<jute::id>(t.auth_ids().begin(), t.auth_ids().end()));
  }
  txn garbage;
  CHECK_FALSE(decode_txn(std::string("\xff\xff\xff", 3), garbage));
}

TEST_CASE("a snapshot loads back into the same tree") {
  scratch_dir d;
  auto h = sample_history();
  REQUIRE(write_snapshot(disk, h.tree, d.path()).ok());
  auto snaps = list_snapshots(disk, d.path());
  REQUIRE(snaps.size() == 1);
  CHECK(snaps[0].zxid == h.zxid);
  data_tree loaded;
  REQUIRE(load_snapshot(disk, snaps[0].path, loaded).ok());
  CHECK(describe_tree(loaded) == describe_tree(h.tree));
  // The restored tree goes on exactly as the original: the next sequential name continues.
  txn next;
  next.type = op::create;
  next.zxid = h.zxid + 1;
  next.session_id = session;
  next.ops.push_back(
      {op::create, jute::create_request{"/app/seq-", "", jute::open_acl_unsafe(), 2, -1}});
  auto a = h.tree.apply(next);
  auto b = loaded.apply(next);
  CHECK(a.results[0].path == "/app/seq-0000000005");
  CHECK(b.results[0].path == a.results[0].path);
  CHECK(describe_tree(loaded) == describe_tree(h.tree));
  // Closing the session deletes its ephemeral in the restored tree too.
  txn close;
  close.type = op::close_session;
  close.zxid = h.zxid + 2;
  close.session_id = session;
  loaded.apply(close);
  jute::stat st;
  CHECK(loaded.exists("/app/eph", st) == error_code::no_node);
}

TEST_CASE("a snapshot many times larger than the loader's read buffer loads back") {
  // Frames straddle the 1 MiB read chunks and the buffer moves while a frame is read.
  scratch_dir d;
  history h;
  h.open_session(session, 30000);
  h.create("/big", "");
  for (int i = 0; i < 3000; ++i)
    h.create("/big/n" + std::to_string(i), std::string(static_cast<size_t>(700 + i % 1500), 'd'));
  REQUIRE(write_snapshot(disk, h.tree, d.path()).ok());
  auto snaps = list_snapshots(disk, d.path());
  REQUIRE(std::filesystem::file_size(snaps[0].path) > (4u << 20));
  data_tree loaded;
  REQUIRE(load_snapshot(disk, snaps[0].path, loaded).ok());
  CHECK(loaded.node_count() == 4 + 1 + 3000);
  CHECK(describe_tree(loaded) == describe_tree(h.tree));
}

TEST_CASE("a damaged snapshot is refused, byte by byte") {
  scratch_dir d;
  auto h = sample_history();
  REQUIRE(write_snapshot(disk, h.tree, d.path()).ok());
  auto path = list_snapshots(disk, d.path())[0].path;
  const auto whole = read_all(path);
  // Every truncation, and a bit flip at a spread of offsets, must be refused.
  for (size_t cut = 0; cut < whole.size(); cut += 1 + cut / 16) {
    CAPTURE(cut);
    write_all(path, whole.substr(0, cut));
    data_tree t;
    CHECK_FALSE(load_snapshot(disk, path, t).ok());
  }
  for (size_t offset = 0; offset < whole.size(); offset += 7) {
    CAPTURE(offset);
    auto damaged = whole;
    damaged[offset] = static_cast<char>(damaged[offset] ^ 0x04);
    write_all(path, damaged);
    data_tree t;
    CHECK_FALSE(load_snapshot(disk, path, t).ok());
  }
  write_all(path, whole + "x");
  data_tree t;
  CHECK_FALSE(load_snapshot(disk, path, t).ok());
}

TEST_CASE("recovery: the newest valid snapshot plus the log after it") {
  scratch_dir snaps, logs;
  auto h = sample_history();
  const size_t n = h.txns.size();
  // Snapshots at 1/3 and 2/3 of the history; the log holds all of it in two segments.
  history partial;
  for (size_t i = 0; i < n; ++i) {
    partial.txns.push_back(h.txns[i]);
    partial.tree.apply(h.txns[i]);
    if (i + 1 == n / 3 || i + 1 == 2 * n / 3)
      REQUIRE(write_snapshot(disk, partial.tree, snaps.path()).ok());
  }
  write_log(logs.path(), h.txns, 0, n / 2);
  write_log(logs.path(), h.txns, n / 2, n);

  auto r = recover(disk, snaps.path(), logs.path());
  REQUIRE(r.status.ok());
  CHECK(r.snapshot_zxid == h.txns[2 * n / 3 - 1].zxid);
  CHECK(r.replayed == n - 2 * n / 3);
  CHECK(describe_tree(r.tree) == describe_tree(h.tree));

  SECTION("a corrupt newest snapshot falls back to the previous one") {
    auto newest = list_snapshots(disk, snaps.path())[0].path;
    auto bytes = read_all(newest);
    bytes[bytes.size() / 2] ^= 0x01;
    write_all(newest, bytes);
    auto r2 = recover(disk, snaps.path(), logs.path());
    REQUIRE(r2.status.ok());
    CHECK(r2.snapshot_zxid == h.txns[n / 3 - 1].zxid);
    CHECK(r2.warnings.size() == 1);
    CHECK(describe_tree(r2.tree) == describe_tree(h.tree));
  }
  SECTION("purging keeps what recovery needs") {
    REQUIRE(write_snapshot(disk, h.tree, snaps.path()).ok()); // a third snapshot, at the end
    auto deleted = purge_old_files(disk, snaps.path(), logs.path(), 2);
    CHECK(deleted.size() == 2); // the oldest snapshot and the first log segment
    auto r3 = recover(disk, snaps.path(), logs.path());
    REQUIRE(r3.status.ok());
    CHECK(describe_tree(r3.tree) == describe_tree(h.tree));
  }
  SECTION("no snapshot and a log that does not start at the beginning: refused") {
    for (const auto& s : list_snapshots(disk, snaps.path()))
      std::filesystem::remove(s.path);
    std::filesystem::remove(logs.path() + "/" + log_format::segment_name(h.txns[0].zxid));
    CHECK_FALSE(recover(disk, snaps.path(), logs.path()).status.ok());
  }
}

TEST_CASE("a snapshot in memory: what a leader sends a learner it syncs by SNAP") {
  scratch_dir d;
  auto h = sample_history();
  std::string bytes;
  REQUIRE(serialize_snapshot(h.tree, bytes).ok());
  // The same bytes as the file write_snapshot makes.
  REQUIRE(write_snapshot(disk, h.tree, d.path()).ok());
  std::ifstream in(list_snapshots(disk, d.path()).at(0).path, std::ios::binary);
  std::stringstream file;
  file << in.rdbuf();
  CHECK(file.str() == bytes);

  data_tree parsed;
  REQUIRE(parse_snapshot(bytes, "from the leader", parsed).ok());
  CHECK(describe_tree(parsed) == describe_tree(h.tree));

  // Stored on the learner's disk, it is a snapshot recovery takes.
  scratch_dir learner;
  REQUIRE(write_snapshot_bytes(disk, bytes, h.zxid, learner.path()).ok());
  auto r = recover(disk, learner.path(), learner.path() + "/no-log");
  REQUIRE(r.status.ok());
  CHECK(describe_tree(r.tree) == describe_tree(h.tree));

  // Damaged bytes are refused and leave the target untouched.
  for (size_t at : {size_t{3}, bytes.size() / 2, bytes.size() - 2}) {
    auto bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    data_tree untouched;
    auto st = parse_snapshot(bad, "from the leader", untouched);
    CHECK_FALSE(st.ok());
    CHECK(st.message.find("from the leader") != std::string::npos);
    CHECK(untouched.last_zxid() == 0);
  }
  data_tree empty;
  CHECK_FALSE(parse_snapshot(bytes.substr(0, bytes.size() - 1), "cut", empty).ok());
}

TEST_CASE("recovery keeps the newest log records for a ZAB leader's DIFFs") {
  scratch_dir d;
  auto h = sample_history();
  write_synced_log(d.path(), h.txns);
  auto r = recover(disk, d.path(), d.path(), 3);
  REQUIRE(r.status.ok());
  REQUIRE(r.recent.size() == 3);
  CHECK(r.recent.front().first == h.zxid - 2);
  CHECK(r.recent.back().first == h.zxid);
  txn decoded;
  REQUIRE(decode_txn(r.recent.back().second, decoded));
  CHECK(decoded.zxid == h.zxid);
  CHECK(recover(disk, d.path(), d.path()).recent.empty());
}

TEST_CASE("recovery names the newest reconfig in the log, also one older than the DIFF records") {
  scratch_dir d;
  auto h = sample_history();
  auto txns = h.txns;
  txn reconfig;
  reconfig.zxid = h.zxid + 1;
  reconfig.type = jute::opcode::reconfig;
  reconfig.ops = {txn_op{
      jute::opcode::set_data,
      jute::set_data_request{"/zookeeper/config", "server.1=127.0.0.1:2888:3888:participant", -1}}};
  txns.push_back(reconfig);
  // A second reconfig refused while the first is pending (ReconfigInProgress) is logged with
  // its type too, but changes nothing: the first stays the newest.
  txn refused = reconfig;
  refused.zxid = reconfig.zxid + 1;
  refused.refused = jute::error_code::reconfig_in_progress;
  txns.push_back(refused);
  for (int i = 0; i < 4; ++i) {
    txn c;
    c.zxid = refused.zxid + 1 + i;
    c.type = jute::opcode::create;
    c.ops = {txn_op{jute::opcode::create, jute::create_request{"/after-" + std::to_string(i), "x",
                                                               jute::open_acl_unsafe(), 0, -1}}};
    txns.push_back(c);
  }
  write_synced_log(d.path(), txns);
  auto r = recover(disk, d.path(), d.path(), 3);
  REQUIRE(r.status.ok());
  CHECK(r.recent.front().first > reconfig.zxid); // the DIFF records do not reach it
  REQUIRE(r.last_reconfig);
  CHECK(r.last_reconfig->first == reconfig.zxid);
  txn decoded;
  REQUIRE(decode_txn(r.last_reconfig->second, decoded));
  CHECK(decoded.type == jute::opcode::reconfig);
  // A log without one names none.
  scratch_dir plain;
  write_log(plain.path(), h.txns, 0, h.txns.size());
  CHECK_FALSE(recover(disk, plain.path(), plain.path(), 3).last_reconfig);
}

TEST_CASE("TRUNC below the tree: rebuilt from disk at exactly the zxid, or refused") {
  scratch_dir d;
  auto h = sample_history();
  write_synced_log(d.path(), h.txns);
  const int64_t keep = h.zxid - 2;
  history upto;
  for (const auto& t : h.txns)
    if (t.zxid <= keep) upto.add(t);

  SECTION("a snapshot holding the dropped txns is removed, the log replayed to the zxid") {
    REQUIRE(write_snapshot(disk, h.tree, d.path()).ok()); // at h.zxid: holds the dropped txns
    REQUIRE(truncate_log_after(disk, d.path(), keep).ok());
    auto r = recover_to(disk, d.path(), d.path(), keep);
    REQUIRE(r.status.ok());
    CHECK(r.tree.last_zxid() == keep);
    CHECK(describe_tree(r.tree) == describe_tree(upto.tree));
    CHECK(list_snapshots(disk, d.path()).empty());
    REQUIRE_FALSE(r.warnings.empty());
  }
  SECTION("with the log before the zxid gone, it refuses instead of guessing") {
    REQUIRE(write_snapshot(disk, h.tree, d.path()).ok());
    REQUIRE(remove_log(disk, d.path()).ok()); // as after a SNAP
    auto r = recover_to(disk, d.path(), d.path(), keep);
    CHECK_FALSE(r.status.ok());
    CHECK(r.status.message.find("wipe dataDir") != std::string::npos);
  }
}
