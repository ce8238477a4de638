// The txn log writer actor on a failing disk (the fault-injecting file system in its
// context), with a scoped actor standing in for the proposal pipeline: the server's rules
// for a full disk and a failed fsync, end to end through the actor.
//   - a failed write fails its batch (log_failed, durable up to the last good zxid) and
//     bumps the generation: appends stamped before the failure are dropped;
//   - the next batch tries again, so writes resume once there is space;
//   - a failed fsync stops the actor without acknowledging anything;
//   - recovery then gives exactly what was acknowledged.
#include "actors/messages/pipeline.hpp"
#include "actors/server_context.hpp"
#include "actors/txn_log_writer_actor.hpp"
#include "logged_sessions.hpp"
#include "store/disk/fault_injecting_file_system.hpp"
#include "store/disk/recovery.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>

using namespace paddock;
using namespace paddock::actors;
using paddock::testing::expected_sessions;
using paddock::testing::session_txn_body;
using paddock::testing::sessions_of;
using op = store::fault_injecting_file_system::op;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.max-threads", size_t{2});
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

// What the log writer answered about a batch.
struct answer {
  bool failed = false;
  uint64_t generation = 0;
  int64_t zxid = 0; // logged: durable up to it; log_failed: the last durable zxid
};

} // namespace

TEST_CASE("txn log writer actor: disk full, space back, fsync failure") {
  test_config cfg;
  caf::actor_system sys{cfg};
  auto disk = std::make_shared<store::fault_injecting_file_system>();
  auto ctx = std::make_shared<server_context>();
  ctx->disk = disk;
  ctx->config.data_dir = "/data";
  ctx->config.force_sync = true;
  ctx->config.pre_alloc_size_kb = 1;
  ctx->config.snap_count = 1'000'000; // no roll, so no snapshot request to a store
  REQUIRE(disk->create_directories(ctx->config.snap_dir()).ok());
  REQUIRE(disk->create_directories(ctx->config.log_dir()).ok());

  caf::scoped_actor pipeline{sys};
  ctx->pipeline = caf::actor_cast<pipeline_handle>(pipeline.ptr());
  auto log = sys.spawn<caf::detached>(txn_log_writer_actor, ctx, int64_t{0});
  pipeline->monitor(log);

  // The disk is touched here only between an answer and the next append: the messages
  // order these accesses with the actor's thread.
  auto append = [&](uint64_t generation, int64_t first, int64_t last, const std::string& tag) {
    log_append_batch b;
    for (int64_t z = first; z <= last; ++z)
      b.items.push_back({generation, z, session_txn_body(z, tag)});
    pipeline->send(log, std::move(b));
  };
  auto next_answer = [&] {
    answer a;
    bool got = false;
    pipeline->receive(
        [&](logged& l) {
          a = {false, l.generation, l.zxid};
          got = true;
        },
        [&](log_failed& f) {
          a = {true, f.generation, f.durable_zxid};
          got = true;
        },
        caf::after(std::chrono::seconds(10)) >> [] {});
    REQUIRE(got);
    return a;
  };

  append(0, 1, 5, "a");
  auto a = next_answer();
  CHECK_FALSE(a.failed);
  CHECK(a.zxid == 5);

  disk->set_space(100); // room for one record and a bit: the batch of three fails
  append(0, 6, 8, "a");
  a = next_answer();
  CHECK(a.failed);
  CHECK(a.generation == 0);
  CHECK(a.zxid == 5);

  // Still full: the pipeline stamps 6.. again (generation 1), and that fails too.
  disk->set_space(0);
  append(1, 6, 7, "b");
  a = next_answer();
  CHECK(a.failed);
  CHECK(a.generation == 1);
  CHECK(a.zxid == 5);

  // Space is back: the next batch succeeds without a restart. An append stamped before the
  // last failure (generation 1) is dropped, not written.
  disk->set_space(std::nullopt);
  append(1, 8, 8, "stale");
  append(2, 6, 10, "c");
  a = next_answer();
  CHECK_FALSE(a.failed);
  CHECK(a.generation == 2);
  CHECK(a.zxid == 10);

  // A failed fsync: the actor stops and acknowledges nothing.
  disk->fail(op::sync, EIO);
  append(2, 11, 12, "c");
  bool stopped = false;
  pipeline->receive([&](caf::down_msg& d) { stopped = d.source == log.address(); }, [&](logged&) {},
                    [&](log_failed&) {}, caf::after(std::chrono::seconds(10)) >> [] {});
  CHECK(stopped);

  // What a restart after a power loss finds: exactly what was acknowledged, with the
  // writes of the attempt that succeeded.
  disk->clear_faults();
  disk->crash();
  disk->restart();
  auto r = store::recover(*disk, ctx->config.snap_dir(), ctx->config.log_dir());
  INFO(r.status.message);
  REQUIRE(r.status.ok());
  std::map<int64_t, std::string> tags;
  for (int64_t z = 1; z <= 5; ++z)
    tags[z] = "a";
  CHECK(sessions_of(r.tree) == expected_sessions(10, tags, "c"));
}
