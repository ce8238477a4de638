// The watch guarantee at the actor level: the store, watch manager and pipeline actors,
// driven by a scoped actor standing in for two sessions. A session that watches /x must
// receive the NodeDataChanged event before any read reply that shows the new value.
#include "actors/messages/client.hpp"
#include "actors/messages/pipeline.hpp"
#include "actors/messages/store.hpp"
#include "actors/proposal_pipeline.hpp"
#include "actors/store_actor.hpp"
#include "actors/txn_log_writer_actor.hpp"
#include "actors/watch_manager.hpp"
#include "protocol/jute/codec.hpp"
#include "protocol/jute/jute_reader.hpp"
#include "store/requests/request_processor.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <stdlib.h>

using namespace paddock;
using namespace paddock::actors;
namespace op = jute::opcode;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.max-threads", size_t{2});
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

store::txn make(jute::request r, int64_t session) {
  return store::make_txn(std::move(r), session);
}

jute::request set_data(const std::string& path, const std::string& data) {
  return {{1, op::set_data}, jute::set_data_request{path, data, -1}};
}

jute::request get_data(const std::string& path, bool watch) {
  return {{2, op::get_data}, jute::path_watch_request{path, watch}};
}

// The data in a getData reply frame.
std::string data_of(const std::string& frame) {
  jute::reader r{std::string_view(frame).substr(4 + 16)};
  return r.read_buffer();
}

} // namespace

TEST_CASE("a watch event reaches its session before a read that shows the change") {
  test_config cfg;
  caf::actor_system sys{cfg};
  auto ctx = std::make_shared<server_context>();
  // The pipeline commits what the log writer made durable: a real log in a scratch dir.
  char dir_template[] = "/tmp/paddock-actor-test-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  std::string dir = dir_template;
  ctx->config.data_dir = dir;
  ctx->config.force_sync = false;
  std::filesystem::create_directories(ctx->config.log_dir());
  auto store_a = sys.spawn(store_actor, ctx, std::shared_ptr<store::data_tree>{});
  auto wm = sys.spawn(watch_manager, ctx);
  auto pipeline = sys.spawn(proposal_pipeline, ctx, int64_t{0});
  auto log = sys.spawn<caf::detached>(txn_log_writer_actor, ctx, int64_t{0});
  ctx->store = store_a;
  ctx->watch_manager = wm;
  ctx->pipeline = pipeline;
  ctx->log_writer = log;

  caf::scoped_actor watcher{sys};
  caf::scoped_actor writer{sys};
  // The scoped actors stand in for sessions: they receive what a session receives.
  auto watcher_h = caf::actor_cast<session_handle>(watcher.ptr());
  auto writer_h = caf::actor_cast<session_handle>(writer.ptr());

  // A session for the writes, then /x.
  store::txn session;
  session.type = op::create_session;
  session.session_id = 1;
  session.session_timeout_ms = 10000;
  writer->send(pipeline, write_request{session, origin{writer_h, 0}});
  writer->send(
      pipeline,
      write_request{
          make({{1, op::create}, jute::create_request{"/x", "v0", jute::open_acl_unsafe(), 0, -1}},
               1),
          origin{writer_h, 1}});
  for (int replies = 0; replies < 2;)
    writer->receive([&](outbound_batch& b) { replies += static_cast<int>(b.items.size()); });

  watcher->send(store_a, read_request{get_data("/x", true), 2, nullptr, 77, origin{watcher_h, 2}});
  watcher->receive([](outbound_batch& b) {
    REQUIRE(b.items.size() == 1);
    CHECK(data_of(b.items[0].frame) == "v0");
  });

  writer->send(pipeline, write_request{make(set_data("/x", "v1"), 1), origin{writer_h, 3}});
  bool event_seen = false;
  bool change_seen = false;
  // Keep reading until a reply shows v1; the event must already have been seen by then. The
  // write goes through the log writer's own thread: on a loaded machine it may take a while,
  // so the reads are bounded by time, not by a count (200 reads once ran out first).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!change_seen && std::chrono::steady_clock::now() < deadline) {
    watcher->send(store_a,
                  read_request{get_data("/x", false), 2, nullptr, 77, origin{watcher_h, 4}});
    bool replied = false;
    while (!replied) {
      watcher->receive([&](outbound_batch& b) {
        for (auto& item : b.items) {
          if (!item.is_reply) {
            event_seen = true;
            continue;
          }
          replied = true;
          if (data_of(item.frame) == "v1") {
            change_seen = true;
            CHECK(event_seen);
          }
        }
      });
    }
  }
  writer->receive([](outbound_batch& b) {
    REQUIRE(b.items.size() == 1);
    CHECK(b.items[0].is_write);
  });
  CHECK(change_seen);
  CHECK(event_seen);
  caf::anon_send_exit(store_a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(wm, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(pipeline, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
  std::filesystem::remove_all(dir);
}
