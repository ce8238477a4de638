// The snapshotter actor on a disk that fails, with a scoped actor standing in for the store:
// what the store is told about each snapshot, and what is left on disk.
//   - every slice is acked with its size, whatever became of it (the store's flow control
//     must not wait forever on a snapshot that failed);
//   - a finished snapshot is renamed into place and reported done;
//   - a failed write reports the snapshot failed, removes its .tmp and drops its later
//     slices, and the previous snapshot stays the newest;
//   - an abandoned snapshot leaves nothing behind and reports nothing.
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"
#include "actors/snapshotter.hpp"
#include "store/disk/fault_injecting_file_system.hpp"
#include "store/disk/snapshot.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

using namespace paddock;
using namespace paddock::actors;
using op = store::fault_injecting_file_system::op;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.max-threads", size_t{2});
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

// A tree whose last zxid is `zxid`: a session, `count` znodes of some data, a change.
store::data_tree tree_with(int64_t zxid, int count) {
  REQUIRE(count + 1 < zxid);
  store::data_tree tree;
  auto apply = [&](store::txn t) {
    t.time_ms = 1000 + t.zxid;
    t.session_id = 1;
    REQUIRE(tree.apply(t).err == jute::error_code::ok);
  };
  store::txn session;
  session.zxid = 1;
  session.type = jute::opcode::create_session;
  session.session_timeout_ms = 30000;
  session.session_passwd = "password";
  apply(session);
  for (int i = 1; i <= count; ++i) {
    store::txn t;
    t.zxid = 1 + i;
    t.type = jute::opcode::create;
    t.ops.push_back(
        {jute::opcode::create, jute::create_request{"/n" + std::to_string(i), std::string(100, 'd'),
                                                    jute::open_acl_unsafe(), 0, -1}});
    apply(t);
  }
  store::txn last;
  last.zxid = zxid;
  last.type = jute::opcode::set_data;
  last.ops.push_back({jute::opcode::set_data, jute::set_data_request{"/n1", "changed", -1}});
  apply(last);
  return tree;
}

// The tree's snapshot cut into `pieces` slices, as the store sends them.
std::vector<snapshot_slice> slices_of(const store::data_tree& tree, size_t pieces) {
  std::string bytes;
  REQUIRE(store::serialize_snapshot(tree, bytes).ok());
  std::vector<snapshot_slice> out;
  const size_t step = bytes.size() / pieces + 1;
  for (size_t off = 0; off < bytes.size(); off += step) {
    snapshot_slice s;
    s.zxid = tree.last_zxid();
    s.bytes = bytes.substr(off, step);
    s.first = out.empty();
    out.push_back(std::move(s));
  }
  out.back().last = true;
  return out;
}

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<store::fault_injecting_file_system> disk =
      std::make_shared<store::fault_injecting_file_system>();
  std::shared_ptr<server_context> ctx = std::make_shared<server_context>();
  caf::scoped_actor store{sys};
  snapshotter_handle snapshotter;

  fixture() {
    ctx->disk = disk;
    ctx->config.data_dir = "/data";
    REQUIRE(disk->create_directories(ctx->config.snap_dir()).ok());
    ctx->store = caf::actor_cast<store_handle>(store.ptr());
    snapshotter = sys.spawn<caf::detached>(actors::snapshotter, ctx);
  }
  ~fixture() { caf::anon_send_exit(snapshotter, caf::exit_reason::user_shutdown); }

  // Sends one slice and returns the ack's size; `done` receives a report that came first.
  uint64_t send(snapshot_slice s, std::vector<std::pair<int64_t, bool>>& done) {
    store->send(snapshotter, std::move(s));
    uint64_t acked = 0;
    bool got_ack = false;
    while (!got_ack)
      store->receive(
          [&](snapshot_ack_atom, uint64_t bytes) {
            acked = bytes;
            got_ack = true;
          },
          [&](snapshot_done_atom, int64_t zxid, bool ok) { done.emplace_back(zxid, ok); },
          caf::after(std::chrono::seconds(10)) >> [&] { FAIL("the snapshotter did not ack"); });
    return acked;
  }

  std::vector<std::string> files() {
    std::vector<std::string> names;
    REQUIRE(disk->list(ctx->config.snap_dir(), names).ok());
    std::sort(names.begin(), names.end());
    return names;
  }
};

} // namespace

TEST_CASE("snapshotter: a written snapshot is renamed into place, a failed one leaves the "
          "previous in charge") {
  fixture f;
  std::vector<std::pair<int64_t, bool>> done;

  const auto good = tree_with(300, 200);
  for (auto& s : slices_of(good, 4)) {
    const auto size = s.bytes.size();
    CHECK(f.send(std::move(s), done) == size);
  }
  REQUIRE(done == std::vector<std::pair<int64_t, bool>>{{300, true}});
  REQUIRE(f.files() == std::vector<std::string>{store::snapshot_name(300)});
  store::data_tree loaded;
  REQUIRE(store::load_snapshot(*f.disk, f.ctx->config.snap_dir() + "/" + store::snapshot_name(300),
                               loaded)
              .ok());
  CHECK(loaded.last_zxid() == 300);
  CHECK(loaded.node_count() == good.node_count());
  CHECK(good.node_count() > 200);

  // The second snapshot's second write fails: it is reported failed once, at that slice; its
  // last slices are acked and dropped; no .tmp stays.
  done.clear();
  f.disk->fail(op::write, ENOSPC, 1, ".tmp");
  auto second = slices_of(tree_with(600, 250), 4);
  REQUIRE(second.size() == 4);
  for (size_t i = 0; i < second.size(); ++i) {
    const auto size = second[i].bytes.size();
    CHECK(f.send(std::move(second[i]), done) == size);
    if (i == 1) CHECK(done == std::vector<std::pair<int64_t, bool>>{{600, false}});
  }
  CHECK(done == std::vector<std::pair<int64_t, bool>>{{600, false}});
  CHECK(f.files() == std::vector<std::string>{store::snapshot_name(300)});
  auto listed = store::list_snapshots(*f.disk, f.ctx->config.snap_dir());
  REQUIRE(listed.size() == 1);
  CHECK(listed.front().zxid == 300);

  // The disk is fine again: the next snapshot is written whole.
  done.clear();
  f.disk->clear_faults();
  for (auto& s : slices_of(tree_with(700, 10), 2))
    f.send(std::move(s), done);
  CHECK(done == std::vector<std::pair<int64_t, bool>>{{700, true}});
  CHECK(f.files() ==
        std::vector<std::string>{store::snapshot_name(300), store::snapshot_name(700)});
}

TEST_CASE("snapshotter: an abandoned snapshot leaves no file and no report") {
  fixture f;
  std::vector<std::pair<int64_t, bool>> done;
  auto slices = slices_of(tree_with(150, 100), 3);
  f.send(std::move(slices[0]), done);
  CHECK(f.files() == std::vector<std::string>{store::snapshot_name(150) + ".tmp"});
  snapshot_slice abandon;
  abandon.zxid = 150;
  abandon.abandon = true;
  CHECK(f.send(std::move(abandon), done) == 0);
  CHECK(f.files().empty());
  // A slice of it still in flight after the abandon is acked and dropped.
  const auto size = slices[1].bytes.size();
  CHECK(f.send(std::move(slices[1]), done) == size);
  CHECK(f.files().empty());
  CHECK(done.empty());
}
