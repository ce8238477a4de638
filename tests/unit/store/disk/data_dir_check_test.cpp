// `paddock verify`'s check of a data directory: sound directories pass, every kind of damage
// is named, a torn tail is reported but is not damage, the last good zxid is what start-up
// reaches, and nothing on disk changes.
#include "scratch_dir.hpp"
#include "store/disk/data_dir_check.hpp"
#include "store/disk/log_format.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/snapshot.hpp"
#include "store/disk/txn_codec.hpp"
#include "store/disk/txn_log_writer.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::read_all;
using paddock::testing::scratch_dir;
using paddock::testing::write_all;
namespace op = jute::opcode;

namespace {

posix_file_system disk;

// A server's history: a session opened (zxid 1), then znodes /n2../nN created one txn each, the log
// cut into segments at `segment_starts`, snapshots taken at `snapshot_at`.
struct data_dir {
  scratch_dir dir;
  data_tree tree;
  std::vector<txn> txns;

  void add(int i) {
    txn t;
    t.zxid = static_cast<int64_t>(txns.size()) + 1;
    t.session_id = 0x0100000000000001;
    t.time_ms = 1000 + t.zxid;
    if (i == 1) {
      t.type = op::create_session;
      t.session_timeout_ms = 30000;
      t.session_passwd = std::string(16, 'p');
    } else {
      t.type = op::create;
      t.ops.push_back({op::create, jute::create_request{"/n" + std::to_string(i), "value",
                                                        jute::open_acl_unsafe(), 0, -1}});
    }
    tree.apply(t);
    txns.push_back(std::move(t));
  }

  void write_segment(size_t from, size_t to) { // txns[from, to)
    txn_log_writer w(disk, dir.path(), 0, false);
    REQUIRE(w.start_segment(txns[from].zxid).ok());
    std::string records, body;
    for (size_t i = from; i < to; ++i) {
      encode_txn(txns[i], body);
      log_format::append_record(records, txns[i].zxid, body);
    }
    REQUIRE(w.write(records).ok());
  }

  // 30 txns in three segments (1-10, 11-20, 21-30); snapshots at zxid 10 and 20.
  data_dir() {
    for (int i = 1; i <= 30; ++i) {
      add(i);
      if (i == 10 || i == 20) REQUIRE(write_snapshot(disk, tree, dir.path()).ok());
    }
    write_segment(0, 10);
    write_segment(10, 20);
    write_segment(20, 30);
  }

  std::string path_of(const std::string& name) const { return dir.path() + "/" + name; }
  std::string segment(int64_t first) const { return path_of(log_format::segment_name(first)); }
  std::string snapshot(int64_t zxid) const { return path_of(snapshot_name(zxid)); }

  std::map<std::string, std::string> contents() const {
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
      files[e.path().string()] = read_all(e.path().string());
    return files;
  }

  data_dir_report verify() const { return verify_data_dir(disk, dir.path(), dir.path()); }
};

void flip_byte(const std::string& path, size_t offset) {
  auto bytes = read_all(path);
  REQUIRE(offset < bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ 0x5a);
  write_all(path, bytes);
}

} // namespace

TEST_CASE("a sound data directory is sound, and verifying it changes nothing") {
  data_dir d;
  const auto before = d.contents();
  auto r = d.verify();
  CHECK_FALSE(r.damaged());
  REQUIRE(r.snapshots.size() == 2);
  CHECK(r.snapshots[0].zxid == 20); // newest first
  CHECK(r.snapshots[0].status.ok());
  CHECK(r.snapshots[0].znodes == 19 + 4); // /n2../n20 and the four of a fresh tree
  CHECK(r.snapshots[0].sessions == 1);
  CHECK(r.log_segments == 3);
  CHECK(r.log_records == 30);
  CHECK(r.log_first_zxid == 1);
  CHECK(r.log_last_zxid == 30);
  CHECK(r.torn_tail.empty());
  CHECK(r.start_snapshot_zxid == 20);
  CHECK(r.last_good_zxid == 30);
  CHECK(d.contents() == before);
}

TEST_CASE("a log purged up to a snapshot is checked from its first segment") {
  data_dir d;
  std::filesystem::remove(d.segment(1));
  std::filesystem::remove(d.snapshot(10));
  auto r = d.verify();
  CHECK_FALSE(r.damaged());
  CHECK(r.log_records == 20);
  CHECK(r.log_first_zxid == 11);
  CHECK(r.last_good_zxid == 30);
}

TEST_CASE("an empty data directory is sound and holds nothing") {
  scratch_dir empty;
  auto r = verify_data_dir(disk, empty.path(), empty.path());
  CHECK_FALSE(r.damaged());
  CHECK(r.snapshots.empty());
  CHECK(r.log_segments == 0);
  CHECK(r.last_good_zxid == 0);
}

TEST_CASE("a damaged older snapshot is damage, though start-up would not need it") {
  data_dir d;
  flip_byte(d.snapshot(10), 40);
  auto r = d.verify();
  CHECK(r.damaged());
  REQUIRE(r.snapshots.size() == 2);
  CHECK(r.snapshots[0].status.ok());
  CHECK_FALSE(r.snapshots[1].status.ok());
  CHECK(r.start_status.ok());
  CHECK(r.last_good_zxid == 30);
}

TEST_CASE("a damaged newest snapshot: start-up falls back to the older one and the log") {
  data_dir d;
  flip_byte(d.snapshot(20), 40);
  auto r = d.verify();
  CHECK(r.damaged());
  CHECK_FALSE(r.snapshots[0].status.ok());
  CHECK(r.start_snapshot_zxid == 10);
  CHECK(r.start_status.ok());
  CHECK(r.last_good_zxid == 30);
}

TEST_CASE("a bad record in an old segment is damage even where start-up skips it") {
  data_dir d;
  flip_byte(d.segment(1), log_format::segment_header_size + 20);
  auto r = d.verify();
  CHECK(r.damaged());
  CHECK_FALSE(r.log_status.ok());
  CHECK(r.start_status.ok()); // the snapshot at 20 and the segment from 21 suffice
  CHECK(r.last_good_zxid == 30);
}

TEST_CASE("a bad record that start-up needs: the server would refuse to start") {
  data_dir d;
  flip_byte(d.segment(21), log_format::segment_header_size + 20); // in zxid 21's record
  auto r = d.verify();
  CHECK(r.damaged());
  CHECK_FALSE(r.log_status.ok());
  CHECK_FALSE(r.start_status.ok());
  CHECK(r.last_good_zxid == 0);
}

TEST_CASE("a torn tail is reported, not damage, and left on disk") {
  data_dir d;
  auto last = read_all(d.segment(21));
  last.resize(last.size() - 5); // the last record cut short, as a crash mid-write leaves it
  write_all(d.segment(21), last);
  const auto before = d.contents();
  auto r = d.verify();
  CHECK_FALSE(r.damaged());
  CHECK_FALSE(r.torn_tail.empty());
  CHECK(r.log_last_zxid == 29);
  CHECK(r.last_good_zxid == 29);
  CHECK(d.contents() == before);
}
