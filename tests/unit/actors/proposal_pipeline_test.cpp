// The standalone write path, driven deterministically (CAF's test coordinator, the test's
// clock): write_request -> proposal_pipeline -> txn log writer (a scripted stand-in: it
// reports durable or failed when the test says) -> commit_batch -> store_actor ->
// watch_manager -> the origin session (a recording stand-in). The real store and watch
// manager run; only the log writer (a detached actor in the server, on its own thread) and
// the sessions are stand-ins. The real log writer is tested on its own in
// txn_log_writer_actor_test.cpp.
#include "actors/messages/pipeline.hpp"
#include "actors/messages/store.hpp"
#include "actors/proposal_pipeline.hpp"
#include "actors/store_actor.hpp"
#include "actors/watch_manager.hpp"
#include "deterministic_system.hpp"
#include "scratch_dir.hpp"
#include "stand_ins.hpp"
#include "store/disk/txn_codec.hpp"

#include <caf/send.hpp>
#include <catch2/catch.hpp>

using namespace paddock;
using namespace paddock::testing;
using actors::origin;
using actors::write_request;
namespace op = jute::opcode;

namespace {

constexpr int64_t writer_session = 1;
constexpr int64_t watcher_session = 2;

struct standalone_server {
  scratch_dir dir;
  deterministic_system ds;
  std::shared_ptr<actors::server_context> ctx = test_context(ds, dir);
  std::shared_ptr<log_record> log = std::make_shared<log_record>();
  std::shared_ptr<session_record> writer = std::make_shared<session_record>();
  std::shared_ptr<session_record> watcher = std::make_shared<session_record>();
  actors::store_handle store;
  actors::watch_manager_handle watches;
  actors::pipeline_handle pipeline;
  scripted_log_writer_handle log_writer;
  actors::session_handle writer_h;
  actors::session_handle watcher_h;

  // Spawned and wired as server.cpp does, then both sessions opened (zxids 1 and 2).
  standalone_server() {
    store = ds.spawn(actors::store_actor, actors::context_ptr{ctx},
                     std::shared_ptr<store::data_tree>{});
    watches = ds.spawn(actors::watch_manager, actors::context_ptr{ctx});
    pipeline = ds.spawn(actors::proposal_pipeline, actors::context_ptr{ctx}, int64_t{0});
    log_writer = ds.spawn(scripted_log_writer, actors::context_ptr{ctx}, log);
    ctx->store = store;
    ctx->watch_manager = watches;
    ctx->pipeline = pipeline;
    ctx->log_writer = log_writer;
    writer_h = ds.spawn(recording_session, writer);
    watcher_h = ds.spawn(recording_session, watcher);
    write(create_session_txn(writer_session), writer_h, 0);
    write(create_session_txn(watcher_session), watcher_h, 0);
    durable(0, 2);
    REQUIRE(writer->items.size() == 1);
    REQUIRE(watcher->items.size() == 1);
    writer->items.clear();
    watcher->items.clear();
    log->appends.clear();
  }

  void write(store::txn t, const actors::session_handle& from, int32_t xid) {
    caf::anon_send(pipeline, write_request{std::move(t), origin{from, xid}});
    ds.run();
  }
  // The log writer reports every txn up to `zxid` of `generation` durable.
  void durable(uint64_t generation, int64_t zxid) {
    caf::anon_send(log_writer, actors::logged{generation, zxid});
    ds.run();
  }
  void read(const actors::session_handle& from, int64_t session, jute::request r,
            store::watcher_id watcher_id) {
    const int32_t xid = r.header.xid;
    caf::anon_send(store,
                   actors::read_request{std::move(r), session, nullptr, watcher_id, {from, xid}});
    ds.run();
  }
  int64_t applied_zxid() {
    auto stats = ds.ask<actors::tree_stats>(store, actors::stats_atom::value);
    REQUIRE(stats);
    return std::get<0>(*stats).last_zxid;
  }
};

} // namespace

TEST_CASE("standalone write path: a write is stamped by the clock and answered once durable") {
  standalone_server s;
  s.ds.clock()->set_wall_ms(1'234'567'890'000);
  s.write(create_txn(1, "/x", "v0", writer_session), s.writer_h, 1);

  // Stamped (the next zxid, the clock's wall time) and handed to the log; nothing applied.
  REQUIRE(s.log->zxids() == std::vector<int64_t>{3});
  CHECK(s.log->appends[0].generation == 0);
  store::txn logged;
  REQUIRE(store::decode_txn(s.log->appends[0].body.view(), logged));
  CHECK(logged.time_ms == 1'234'567'890'000);
  CHECK(logged.cxid == 1);
  CHECK(s.writer->items.empty());
  CHECK(s.applied_zxid() == 2);

  // Time passes while the disk works: the stamp is the time of stamping, not of commit.
  s.ds.advance(std::chrono::milliseconds(1500));
  s.durable(0, 3);
  REQUIRE(s.writer->items.size() == 1);
  auto reply = header_of(s.writer->items[0].frame);
  CHECK(reply.xid == 1);
  CHECK(reply.zxid == 3);
  CHECK(reply.err == 0);
  CHECK(s.writer->items[0].is_write);
  CHECK(s.applied_zxid() == 3);

  s.read(s.writer_h, writer_session, get_data(2, "/x", false), 10);
  REQUIRE(s.writer->items.size() == 2);
  auto node = get_data_of(s.writer->items[1].frame);
  CHECK(node.data == "v0");
  CHECK(node.ctime == 1'234'567'890'000);
  CHECK(node.czxid == 3);
  CHECK(s.ds.clocks_agree());
}

TEST_CASE("standalone write path: txns become durable in batches and commit in zxid order") {
  standalone_server s;
  for (int32_t xid = 1; xid <= 4; ++xid)
    s.write(create_txn(xid, "/n" + std::to_string(xid), "", writer_session), s.writer_h, xid);
  REQUIRE(s.log->zxids() == (std::vector<int64_t>{3, 4, 5, 6}));

  s.durable(0, 4); // the first two
  CHECK(s.writer->reply_xids() == (std::vector<int32_t>{1, 2}));
  s.durable(0, 6);
  CHECK(s.writer->reply_xids() == (std::vector<int32_t>{1, 2, 3, 4}));
  for (size_t i = 0; i < 4; ++i)
    CHECK(header_of(s.writer->items[i].frame).zxid == static_cast<int64_t>(3 + i));
}

TEST_CASE("standalone write path: a failed log write answers SystemError in order, and "
          "stamping resumes after the last durable zxid") {
  standalone_server s;
  s.write(create_txn(1, "/a", "", writer_session), s.writer_h, 1); // zxid 3
  s.write(create_txn(2, "/b", "", writer_session), s.writer_h, 2); // zxid 4
  s.write(create_txn(3, "/c", "", writer_session), s.writer_h, 3); // zxid 5
  s.durable(0, 3);
  REQUIRE(s.writer->reply_xids() == std::vector<int32_t>{1});

  caf::anon_send(s.log_writer, actors::log_failed{0, 3, "write log.3: No space left on device"});
  s.ds.run();
  // /b and /c fail, in their places, after /a's success.
  REQUIRE(s.writer->reply_xids() == (std::vector<int32_t>{1, 2, 3}));
  for (size_t i : {1, 2}) {
    CHECK(s.writer->items[i].failed);
    CHECK(header_of(s.writer->items[i].frame).err ==
          static_cast<int32_t>(jute::error_code::system_error));
  }
  CHECK(s.applied_zxid() == 3); // nothing failed was applied

  // The next write takes the zxid after the last durable one, in the next generation.
  s.write(create_txn(4, "/d", "", writer_session), s.writer_h, 4);
  REQUIRE(s.log->appends.size() == 4);
  CHECK(s.log->appends[3].zxid == 4);
  CHECK(s.log->appends[3].generation == 1);
  // A report about the failed generation is stale: ignored.
  s.durable(0, 5);
  CHECK(s.writer->reply_xids().size() == 3);
  s.durable(1, 4);
  REQUIRE(s.writer->reply_xids() == (std::vector<int32_t>{1, 2, 3, 4}));
  CHECK(header_of(s.writer->items[3].frame).zxid == 4);
  CHECK(header_of(s.writer->items[3].frame).err == 0);

  s.read(s.writer_h, writer_session, get_data(5, "/b", false), 10);
  CHECK(header_of(s.writer->items.back().frame).err ==
        static_cast<int32_t>(jute::error_code::no_node));
  s.read(s.writer_h, writer_session, get_data(6, "/d", false), 10);
  CHECK(header_of(s.writer->items.back().frame).err == 0);
}

TEST_CASE("standalone write path: a sync is answered after the writes before it are applied") {
  standalone_server s;
  s.write(create_txn(1, "/a", "", writer_session), s.writer_h, 1); // zxid 3
  caf::anon_send(s.pipeline, actors::sync_request{"/a", {s.writer_h, 2}});
  s.ds.run();
  CHECK(s.writer->items.empty());
  s.durable(0, 3);
  REQUIRE(s.writer->reply_xids() == (std::vector<int32_t>{1, 2}));
  CHECK(s.writer->items[1].opcode == op::sync);
  CHECK(header_of(s.writer->items[1].frame).zxid == 3);
}

// ZooKeeper's watch guarantee through the whole path: a session that watches /x sees the
// NodeDataChanged event before any reply that shows the new value. The read races the
// change: it is sent after the commit has taken 0, 1, 2, ... steps of its way (log writer,
// pipeline, store, watch manager), so every interleaving of the two is tried, each from a
// fresh server.
TEST_CASE("standalone write path: a watch event reaches its session before any reply that "
          "reflects the change") {
  bool saw_old = false;
  bool saw_new = false;
  for (size_t steps = 0; steps < 12; ++steps) {
    CAPTURE(steps);
    standalone_server s;
    s.write(create_txn(1, "/x", "v0", writer_session), s.writer_h, 1); // zxid 3
    s.durable(0, 3);
    // Both sessions watch /x; the writer then changes it.
    s.read(s.watcher_h, watcher_session, get_data(1, "/x", true), 20);
    s.read(s.writer_h, writer_session, get_data(2, "/x", true), 10);
    s.writer->items.clear();
    s.watcher->items.clear();
    s.write(set_data_txn(3, "/x", "v1", writer_session), s.writer_h, 3); // zxid 4

    caf::anon_send(s.log_writer, actors::logged{0, 4});
    s.ds.run(steps);
    s.read(s.watcher_h, watcher_session, get_data(2, "/x", false), 20);

    // The writer: the event of its own change comes before its setData reply.
    REQUIRE(s.writer->items.size() == 2);
    CHECK_FALSE(s.writer->items[0].is_reply);
    CHECK(event_of(s.writer->items[0].frame).type == jute::event_type::node_data_changed);
    CHECK(header_of(s.writer->items[1].frame).xid == 3);

    // The watcher: the event, and its read's reply, in an order that never shows v1 first.
    REQUIRE(s.watcher->items.size() == 2);
    bool event_seen = false;
    for (const auto& item : s.watcher->items) {
      if (!item.is_reply) {
        CHECK(event_of(item.frame).path == "/x");
        event_seen = true;
        continue;
      }
      auto data = get_data_of(item.frame).data;
      if (data == "v1") {
        CHECK(event_seen);
        saw_new = true;
      } else {
        CHECK(data == "v0");
        CHECK_FALSE(event_seen); // a read served before the change leaves the store first
        saw_old = true;
      }
    }
  }
  // The loop did make the read land on both sides of the change.
  CHECK(saw_old);
  CHECK(saw_new);
}
