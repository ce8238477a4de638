// A learner's SNAP received as a stream of chunks into a file: a whole stream installs as
// exactly the leader's tree and becomes this server's snapshot; a chunk out of place, a short
// stream, a wrong CRC or a damaged byte is refused and leaves nothing that recovery could take
// for a snapshot; a failure at every call of every step, or a full disk at any byte, leaves
// after a crash only snapshots that load whole (and the installed one, once reported).
#include "scratch_dir.hpp"
#include "store/disk/crc32c.hpp"
#include "store/disk/fault_injecting_file_system.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/received_snapshot.hpp"
#include "store/disk/snapshot.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::read_all;
using paddock::testing::scratch_dir;
using paddock::testing::write_all;
namespace op = jute::opcode;

namespace {

posix_file_system disk;

constexpr int64_t session = 0x0100000000000001;

// A session and a few hundred znodes (zxid 300), and its snapshot bytes.
data_tree leader_tree() {
  data_tree tree;
  txn open;
  open.zxid = 1;
  open.time_ms = 1001;
  open.type = op::create_session;
  open.session_id = session;
  open.session_timeout_ms = 10000;
  open.session_passwd = std::string(16, 'p');
  REQUIRE(tree.apply(open).err == jute::error_code::ok);
  for (int i = 2; i <= 300; ++i) {
    txn t;
    t.zxid = i;
    t.time_ms = 1000 + i;
    t.type = op::create2;
    t.session_id = session;
    t.ops.push_back(
        {op::create2, jute::create_request{"/n" + std::to_string(i), std::string(100, 'a' + i % 26),
                                           jute::open_acl_unsafe(), 0, -1}});
    REQUIRE(tree.apply(t).err == jute::error_code::ok);
  }
  return tree;
}

std::string image_of(const data_tree& tree) {
  std::string bytes;
  REQUIRE(serialize_snapshot(tree, bytes).ok());
  return bytes;
}

// Sends `bytes` through the writer in chunks of `chunk` bytes.
io_status stream(received_snapshot_writer& w, int64_t zxid, const std::string& bytes,
                 size_t chunk) {
  if (auto st = w.begin(zxid); !st.ok()) return st;
  for (size_t off = 0; off < bytes.size(); off += chunk)
    if (auto st = w.append(off, std::string_view(bytes).substr(off, chunk)); !st.ok()) return st;
  return w.finish(bytes.size(), crc32c(bytes));
}

bool exists(const std::string& path) {
  return std::filesystem::exists(path);
}

} // namespace

TEST_CASE("a whole stream installs as the leader's tree and becomes a snapshot") {
  scratch_dir dir;
  auto tree = leader_tree();
  const auto bytes = image_of(tree);
  received_snapshot_writer w(disk, dir.path());
  REQUIRE(stream(w, 300, bytes, 1000).ok());
  CHECK(w.bytes() == bytes.size());
  CHECK(list_snapshots(disk, dir.path()).empty()); // received, not yet this server's snapshot
  data_tree installed;
  REQUIRE(install_received_snapshot(disk, dir.path(), 300, installed).ok());
  CHECK(installed.last_zxid() == 300);
  CHECK(installed.node_count() == tree.node_count());
  for (int i : {2, 150, 300}) { // the same znodes, data and Stat
    const auto path = "/n" + std::to_string(i);
    std::string a, b;
    jute::stat sa, sb;
    REQUIRE(installed.get_data(path, a, sa) == jute::error_code::ok);
    REQUIRE(tree.get_data(path, b, sb) == jute::error_code::ok);
    CHECK(a == b);
    CHECK((sa.czxid == sb.czxid && sa.mzxid == sb.mzxid && sa.version == sb.version));
  }
  CHECK(installed.session_count() == 1);
  auto snaps = list_snapshots(disk, dir.path());
  REQUIRE(snaps.size() == 1);
  CHECK(snaps[0].zxid == 300);
  CHECK(read_all(snaps[0].path) == bytes);
  CHECK_FALSE(exists(dir.path() + "/" + received_snapshot_name(300)));
}

TEST_CASE("a chunk out of place (chunks lost) is refused and the file removed") {
  scratch_dir dir;
  const auto bytes = image_of(leader_tree());
  received_snapshot_writer w(disk, dir.path());
  REQUIRE(w.begin(300).ok());
  REQUIRE(w.append(0, std::string_view(bytes).substr(0, 1000)).ok());
  auto st = w.append(2000, std::string_view(bytes).substr(2000, 1000));
  CHECK_FALSE(st.ok());
  CHECK(st.message.find("chunks were lost") != std::string::npos);
  CHECK_FALSE(w.open());
  CHECK_FALSE(exists(dir.path() + "/" + received_snapshot_name(300)));
}

TEST_CASE("a short stream or a wrong CRC is refused at its end") {
  scratch_dir dir;
  const auto bytes = image_of(leader_tree());
  received_snapshot_writer w(disk, dir.path());
  SECTION("short") {
    REQUIRE(w.begin(300).ok());
    REQUIRE(w.append(0, std::string_view(bytes).substr(0, bytes.size() - 10)).ok());
    auto st = w.finish(bytes.size(), crc32c(bytes));
    CHECK_FALSE(st.ok());
    CHECK(st.message.find("bytes received") != std::string::npos);
  }
  SECTION("a byte changed on the way") {
    auto damaged = bytes;
    damaged[damaged.size() / 2] ^= 0x40;
    REQUIRE(w.begin(300).ok());
    REQUIRE(w.append(0, damaged).ok());
    auto st = w.finish(bytes.size(), crc32c(bytes));
    CHECK_FALSE(st.ok());
    CHECK(st.message.find("CRC32C") != std::string::npos);
  }
  CHECK_FALSE(exists(dir.path() + "/" + received_snapshot_name(300)));
  data_tree t;
  CHECK_FALSE(install_received_snapshot(disk, dir.path(), 300, t).ok());
  CHECK(list_snapshots(disk, dir.path()).empty());
}

TEST_CASE("a received file damaged on disk is not installed, and the tree is left alone") {
  scratch_dir dir;
  const auto bytes = image_of(leader_tree());
  received_snapshot_writer w(disk, dir.path());
  REQUIRE(stream(w, 300, bytes, 4096).ok());
  const auto path = dir.path() + "/" + received_snapshot_name(300);
  auto on_disk = read_all(path);
  on_disk[on_disk.size() / 3] ^= 0x01;
  write_all(path, on_disk);
  data_tree t;
  auto before = t.node_count();
  CHECK_FALSE(install_received_snapshot(disk, dir.path(), 300, t).ok());
  CHECK(t.node_count() == before);
  CHECK(list_snapshots(disk, dir.path()).empty());
}

TEST_CASE("an image of another zxid than announced is not installed") {
  scratch_dir dir;
  const auto bytes = image_of(leader_tree());
  received_snapshot_writer w(disk, dir.path());
  REQUIRE(stream(w, 299, bytes, 4096).ok()); // the leader named 299, the image holds 300
  data_tree t;
  auto st = install_received_snapshot(disk, dir.path(), 299, t);
  CHECK_FALSE(st.ok());
  CHECK(list_snapshots(disk, dir.path()).empty());
}

TEST_CASE("a new stream removes what an abandoned one left") {
  scratch_dir dir;
  const auto bytes = image_of(leader_tree());
  {
    received_snapshot_writer w(disk, dir.path());
    REQUIRE(w.begin(200).ok());
    REQUIRE(w.append(0, std::string_view(bytes).substr(0, 100)).ok());
    // as a crash would leave it: the file stays
    write_all(dir.path() + "/" + received_snapshot_name(100), "left by a crash");
  }
  CHECK_FALSE(exists(dir.path() + "/" + received_snapshot_name(200))); // destroyed: removed
  received_snapshot_writer w(disk, dir.path());
  REQUIRE(stream(w, 300, bytes, 777).ok());
  CHECK_FALSE(exists(dir.path() + "/" + received_snapshot_name(100)));
  CHECK(exists(dir.path() + "/" + received_snapshot_name(300)));
}

namespace {

// A whole stream received (pieces of 4 KiB) and installed on `fs`, in a directory that
// exists: what the learner does. Returns whether the install reported success.
bool receive_and_install(file_system& fs, const std::string& bytes) {
  received_snapshot_writer w(fs, "/snap");
  if (!stream(w, 300, bytes, 4096).ok()) return false;
  data_tree t;
  return install_received_snapshot(fs, "/snap", 300, t).ok() && t.last_zxid() == 300;
}

// After a crash, every snapshot listed loads whole; one reported installed is there.
void check_after_crash(fault_injecting_file_system& fs, bool installed) {
  fs.crash();
  fs.restart();
  auto snaps = list_snapshots(fs, "/snap");
  for (const auto& s : snaps) {
    data_tree t;
    INFO(s.path);
    CHECK(load_snapshot(fs, s.path, t).ok());
  }
  if (installed) {
    REQUIRE(snaps.size() == 1);
    CHECK(snaps[0].zxid == 300);
  }
}

} // namespace

TEST_CASE("a received snapshot on a failing disk: a failure at every call of every step") {
  const auto bytes = image_of(leader_tree());
  using op = fault_injecting_file_system::op;
  for (auto o : {op::open_write, op::write, op::sync, op::rename, op::sync_directory}) {
    uint64_t calls = 0;
    {
      fault_injecting_file_system fs;
      REQUIRE(fs.create_directories("/snap").ok());
      const auto before = fs.calls(o);
      REQUIRE(receive_and_install(fs, bytes));
      calls = fs.calls(o) - before;
    }
    for (uint64_t k = 0; k < calls; ++k) {
      fault_injecting_file_system fs;
      REQUIRE(fs.create_directories("/snap").ok());
      fs.fail(o, EIO, k);
      INFO("op " << static_cast<int>(o) << ", call " << k);
      const bool installed = receive_and_install(fs, bytes);
      check_after_crash(fs, installed);
    }
  }
}

TEST_CASE("a received snapshot on a full disk: ENOSPC at every 10th KiB refuses the stream") {
  const auto bytes = image_of(leader_tree());
  for (int64_t room = 0; room < static_cast<int64_t>(bytes.size()); room += 10 * 1024) {
    fault_injecting_file_system fs;
    REQUIRE(fs.create_directories("/snap").ok());
    fs.set_space(room);
    INFO("room " << room);
    received_snapshot_writer w(fs, "/snap");
    CHECK_FALSE(stream(w, 300, bytes, 4096).ok());
    CHECK_FALSE(fs.exists("/snap/" + received_snapshot_name(300))); // removed
    check_after_crash(fs, false);
  }
}
