// `paddock restore`: a sound backup becomes the data directory's only snapshot and loads back
// as the same tree; a damaged backup or a target that holds data is refused with nothing
// written.
#include "scratch_dir.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/restore.hpp"
#include "store/disk/snapshot.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::read_all;
using paddock::testing::scratch_dir;
using paddock::testing::write_all;
namespace op = jute::opcode;
namespace fs = std::filesystem;

namespace {

posix_file_system disk;

data_tree sample_tree() {
  data_tree tree;
  txn open;
  open.type = op::create_session;
  open.zxid = 1;
  open.session_id = 7;
  open.session_timeout_ms = 30000;
  open.session_passwd = std::string(16, 'p');
  tree.apply(open);
  for (int64_t z = 2; z <= 40; ++z) {
    txn t;
    t.type = op::create;
    t.zxid = z;
    t.session_id = 7;
    t.ops.push_back({op::create, jute::create_request{"/n" + std::to_string(z), "v",
                                                      jute::open_acl_unsafe(), 0, -1}});
    tree.apply(t);
  }
  return tree;
}

// Every node's path, data and zxids, sorted (sibling order is not part of the state).
std::vector<std::string> nodes_of(const data_tree& tree) {
  std::vector<std::string> out;
  tree.for_each_node([&](const znode_image& n) {
    out.push_back(std::string(n.path) + "=" + std::string(n.data) + "@" + std::to_string(n.czxid) +
                  "/" + std::to_string(n.mzxid) + "/" + std::to_string(n.pzxid));
  });
  std::sort(out.begin(), out.end());
  return out;
}

// A backup file as the server streams it: the snapshot file's bytes.
std::string backup_of(const data_tree& tree, const scratch_dir& where) {
  std::string bytes;
  REQUIRE(serialize_snapshot(tree, bytes).ok());
  auto path = where.path() + "/backup.snap";
  write_all(path, bytes);
  return path;
}

} // namespace

TEST_CASE("a restored backup is the data directory's only snapshot and loads as the tree") {
  scratch_dir work;
  auto tree = sample_tree();
  auto backup = backup_of(tree, work);
  const auto data_dir = work.path() + "/data";
  fs::create_directories(data_dir);
  write_all(data_dir + "/myid", "2\n");
  auto r = restore_backup(backup, data_dir, data_dir);
  REQUIRE(r.exit_code == 0);
  CHECK(read_all(data_dir + "/myid") == "2\n"); // left alone
  auto recovered = recover(disk, data_dir + "/paddock", data_dir + "/paddock");
  REQUIRE(recovered.status.ok());
  CHECK(recovered.snapshot_zxid == 40);
  CHECK(recovered.replayed == 0);
  CHECK(recovered.tree.node_count() == tree.node_count());
  CHECK(recovered.tree.session_count() == 1);
  CHECK(nodes_of(recovered.tree) == nodes_of(tree));
  // No temporary directory is left next to it.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(data_dir))
    ++entries;
  CHECK(entries == 2); // myid and paddock
}

TEST_CASE("a restored backup forgets the membership of the ensemble it came from") {
  scratch_dir work;
  auto tree = sample_tree();
  tree.set_config_node("server.1=10.0.0.1:2888:3888:participant\nversion=700000003", 0x700000003,
                       1234);
  auto backup = backup_of(tree, work);
  const auto data_dir = work.path() + "/data";
  REQUIRE(restore_backup(backup, data_dir, data_dir).exit_code == 0);
  auto recovered = recover(disk, data_dir + "/paddock", data_dir + "/paddock");
  REQUIRE(recovered.status.ok());
  std::string data;
  jute::stat stat;
  REQUIRE(recovered.tree.get_data(data_tree::config_node, data, stat) == error_code::ok);
  const data_tree fresh;
  std::string fresh_data;
  jute::stat fresh_stat;
  REQUIRE(fresh.get_data(data_tree::config_node, fresh_data, fresh_stat) == error_code::ok);
  CHECK(data == fresh_data);
  CHECK(stat.version == fresh_stat.version);
  CHECK(stat.mzxid == fresh_stat.mzxid);
  // Everything else is the backup's.
  CHECK(recovered.snapshot_zxid == 40);
  auto without_config = [](std::vector<std::string> nodes) {
    std::erase_if(nodes, [](const std::string& n) { return n.starts_with("/zookeeper/config="); });
    return nodes;
  };
  CHECK(nodes_of(recovered.tree) != nodes_of(tree));
  CHECK(without_config(nodes_of(recovered.tree)) == without_config(nodes_of(tree)));
  CHECK(recovered.tree.digest() == tree.digest()); // /zookeeper/ counts 0 in the digest
  CHECK(recovered.tree.node_count() == tree.node_count());
}

TEST_CASE("a damaged backup is refused and nothing is written") {
  scratch_dir work;
  auto backup = backup_of(sample_tree(), work);
  auto bytes = read_all(backup);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x21);
  write_all(backup, bytes);
  const auto data_dir = work.path() + "/data";
  auto r = restore_backup(backup, data_dir, data_dir);
  CHECK(r.exit_code == 2);
  CHECK(r.message.find("not a sound backup") != std::string::npos);
  CHECK_FALSE(fs::exists(data_dir));

  write_all(backup, bytes.substr(0, bytes.size() - 3)); // cut short: no trailer
  CHECK(restore_backup(backup, data_dir, data_dir).exit_code == 2);
  CHECK(restore_backup(work.path() + "/missing", data_dir, data_dir).exit_code == 2);
}

TEST_CASE("a data directory or log directory that holds data is refused") {
  scratch_dir work;
  auto backup = backup_of(sample_tree(), work);
  const auto data_dir = work.path() + "/data";
  fs::create_directories(data_dir + "/paddock");
  write_all(data_dir + "/paddock/log.0000000000000001", "old history");
  auto r = restore_backup(backup, data_dir, data_dir);
  CHECK(r.exit_code == 2);
  CHECK(r.message.find("not empty") != std::string::npos);
  CHECK(read_all(data_dir + "/paddock/log.0000000000000001") == "old history");

  // A split dataLogDir with an old log: replaying it over the backup would corrupt it.
  const auto fresh = work.path() + "/fresh";
  const auto logs = work.path() + "/logs";
  fs::create_directories(logs + "/paddock");
  write_all(logs + "/paddock/log.0000000000000001", "old history");
  CHECK(restore_backup(backup, fresh, logs).exit_code == 2);
  CHECK_FALSE(fs::exists(fresh + "/paddock"));
}
