// The txn log writer actor on its own, with real files in a scratch directory. The server
// spawns it detached (a thread of its own, so fdatasync never blocks a scheduler worker);
// most tests here spawn the same behaviour as an ordinary actor under CAF's test coordinator,
// which makes group commit deterministic: whatever is in its mailbox when the batch's flush
// marker comes round joins the batch. The last test spawns it detached, as the server does,
// and waits for its answers (never sleeps).
#include "actors/messages/pipeline.hpp"
#include "actors/txn_log_writer_actor.hpp"
#include "deterministic_system.hpp"
#include "scratch_dir.hpp"
#include "stand_ins.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/txn_log_reader.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

using namespace paddock;
using namespace paddock::testing;
using actors::log_append;

namespace {

std::string body_of(int64_t zxid) {
  return "txn " + std::to_string(zxid);
}

// What the log holds on disk: (zxid, body) of every record, in order.
std::vector<std::pair<int64_t, std::string>> on_disk(const std::string& log_dir) {
  std::vector<std::pair<int64_t, std::string>> records;
  store::posix_file_system disk;
  auto r = store::replay_log(
      disk, log_dir, 0,
      [&](int64_t zxid, std::string_view body) {
        records.emplace_back(zxid, std::string(body));
        return true;
      },
      false);
  REQUIRE(r.status.ok());
  return records;
}

std::vector<std::pair<int64_t, std::string>> records(int64_t from, int64_t to) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (auto z = from; z <= to; ++z)
    out.emplace_back(z, body_of(z));
  return out;
}

struct log_writer_alone {
  scratch_dir dir;
  deterministic_system ds;
  std::shared_ptr<actors::server_context> ctx = test_context(ds, dir);
  std::shared_ptr<pipeline_record> pipeline = std::make_shared<pipeline_record>();
  actors::txn_log_writer_handle writer;

  log_writer_alone() {
    ctx->pipeline = ds.spawn(recording_pipeline, pipeline);
    writer = ds.spawn(actors::txn_log_writer_actor, actors::context_ptr{ctx}, int64_t{0});
  }
  // Queues appends without running anything: they are all in the mailbox together.
  void queue(uint64_t generation, int64_t from, int64_t to) {
    for (auto z = from; z <= to; ++z)
      caf::anon_send(writer, log_append{generation, z, body_of(z)});
  }
};

} // namespace

TEST_CASE("txn log writer: the appends waiting together are one batch, reported durable once") {
  log_writer_alone w;
  w.queue(0, 1, 3);
  w.ds.run();
  REQUIRE(w.pipeline->logged.size() == 1); // one write + fdatasync for the three
  CHECK(w.pipeline->logged[0].zxid == 3);
  CHECK(w.pipeline->logged[0].generation == 0);
  CHECK(on_disk(w.ctx->config.log_dir()) == records(1, 3));

  // What arrives after a batch's flush marker waits for the next batch.
  w.queue(0, 4, 4);
  w.ds.run(1); // the append: its flush marker is now in the mailbox, ahead of 5 and 6
  w.queue(0, 5, 6);
  w.ds.run();
  REQUIRE(w.pipeline->logged.size() == 3);
  CHECK(w.pipeline->logged[1].zxid == 4);
  CHECK(w.pipeline->logged[2].zxid == 6);
  CHECK(on_disk(w.ctx->config.log_dir()) == records(1, 6));
  CHECK(w.pipeline->failed.empty());
}

TEST_CASE("txn log writer: a failed write fails its batch, and appends stamped before the "
          "failure are dropped") {
  log_writer_alone w;
  // The log directory is gone: creating the first segment fails (not fatally: nothing was
  // written, so nothing on disk is in doubt).
  std::filesystem::remove_all(w.ctx->config.log_dir());
  w.queue(0, 1, 2);
  w.ds.run();
  CHECK(w.pipeline->logged.empty());
  REQUIRE(w.pipeline->failed.size() == 1);
  CHECK(w.pipeline->failed[0].generation == 0);
  CHECK(w.pipeline->failed[0].durable_zxid == 0);
  CHECK(w.pipeline->failed[0].reason.find("No such file or directory") != std::string::npos);

  // Space returns; an append of the old generation was stamped before the failure (the
  // pipeline already failed it) and is dropped; the new generation starts after zxid 0.
  std::filesystem::create_directories(w.ctx->config.log_dir());
  w.queue(0, 3, 3);
  w.queue(1, 1, 1);
  w.ds.run();
  REQUIRE(w.pipeline->logged.size() == 1);
  CHECK(w.pipeline->logged[0].generation == 1);
  CHECK(w.pipeline->logged[0].zxid == 1);
  CHECK(on_disk(w.ctx->config.log_dir()) == records(1, 1));
}

TEST_CASE("txn log writer: ZAB's TRUNC drops the records after a zxid, what waits first") {
  log_writer_alone w;
  w.queue(0, 1, 4);
  w.ds.run();
  w.queue(0, 5, 5); // waiting in the batch when the truncation is asked for
  auto answer = w.ds.ask<bool, std::string>(w.writer, actors::truncate_atom::value, int64_t{3});
  REQUIRE(answer);
  CHECK(std::get<0>(*answer));
  CHECK(on_disk(w.ctx->config.log_dir()) == records(1, 3));
  // The log goes on after the truncation point, in a new segment.
  w.queue(0, 4, 4);
  w.ds.run();
  CHECK(w.pipeline->logged.back().zxid == 4);
  CHECK(on_disk(w.ctx->config.log_dir()) == records(1, 4));
}

// As the server runs it: detached, on a thread of its own. The test thread stands in for the
// pipeline and waits for the writer's reports (a receive with a deadline, not a sleep); how
// the appends fall into batches depends on the two threads' timing, so only what holds for
// every split is checked.
TEST_CASE("txn log writer: spawned detached, it reports every append durable, in order") {
  scratch_dir dir;
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", size_t{2});
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  caf::scoped_actor pipeline{sys};
  auto ctx = std::make_shared<actors::server_context>();
  ctx->config.data_dir = dir.path();
  ctx->config.force_sync = false;
  std::filesystem::create_directories(ctx->config.log_dir());
  ctx->pipeline = caf::actor_cast<actors::pipeline_handle>(pipeline.ptr());
  auto writer =
      sys.spawn<caf::detached>(actors::txn_log_writer_actor, actors::context_ptr{ctx}, int64_t{0});

  constexpr int64_t count = 200;
  for (int64_t z = 1; z <= count; ++z)
    pipeline->send(writer, log_append{0, z, body_of(z)});
  int64_t durable = 0;
  size_t reports = 0;
  bool timed_out = false;
  while (durable < count && !timed_out)
    pipeline->receive(
        [&](actors::logged& l) {
          CHECK(l.zxid > durable); // each report covers more than the last
          durable = l.zxid;
          ++reports;
        },
        [&](actors::log_failed& f) { FAIL("log write failed: " << f.reason); },
        caf::after(std::chrono::seconds(30)) >> [&] { timed_out = true; });
  REQUIRE_FALSE(timed_out);
  CHECK(durable == count);
  CHECK(reports <= static_cast<size_t>(count));
  // Read the files once the writer has closed them.
  pipeline->monitor(writer);
  caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
  bool down = false;
  pipeline->receive([&](caf::down_msg&) { down = true; },
                    caf::after(std::chrono::seconds(30)) >> [] {});
  REQUIRE(down);
  CHECK(on_disk(ctx->config.log_dir()) == records(1, count));
}
