// checkWatches / removeWatches and addWatch as requests: their codes, replies and effects.
#include "protocol/jute/opcodes.hpp"
#include "store/requests/request_processor.hpp"
#include "store/watches/watch_requests.hpp"
#include "store/watches/watch_table.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace paddock;
using store::watch_table;

TEST_CASE("checkWatches / removeWatches requests: codes and effects") {
  watch_table t;
  t.add_child_watch("/w", 1);
  auto run = [&](bool remove, const char* path, int32_t type) {
    store::watch_query q{remove, 5, path, type};
    return store::run_watch_query(t, q, 1);
  };
  CHECK(run(false, "/w", 2) == jute::error_code::no_watcher);
  CHECK(run(false, "/w", 1) == jute::error_code::ok);
  CHECK(run(true, "/w", 2) == jute::error_code::no_watcher);
  CHECK(run(true, "/w", 3) == jute::error_code::ok);
  CHECK(run(true, "/w", 3) == jute::error_code::no_watcher);
  CHECK(run(false, "/w", 0) == jute::error_code::marshalling_error);
  CHECK(run(true, "/w", 4) == jute::error_code::marshalling_error);

  std::string frame;
  store::encode_watch_query_reply(frame, {true, 5, "/w", 3}, 0x10, jute::error_code::no_watcher);
  REQUIRE(frame.size() == 4 + 16); // length, then ReplyHeader alone
  CHECK(static_cast<unsigned char>(frame[4 + 3]) == 5);
  CHECK(static_cast<unsigned char>(frame[19]) == 0x87); // -121, low byte
}

TEST_CASE("addWatch registers whatever the node, and answers ErrorResponse{0}") {
  store::watch_registration reg;
  std::string out;
  store::execute_add_watch({"/nowhere", 1}, 9, 3, out, reg);
  CHECK(reg.kind == store::watch_kind::persistent_recursive);
  CHECK(reg.path == "/nowhere");
  CHECK(out.size() == 4 + 16 + 4);
  out.clear();
  store::execute_add_watch({"/p", 0}, 9, 3, out, reg);
  CHECK(reg.kind == store::watch_kind::persistent);
  out.clear();
  store::execute_add_watch({"/p", 2}, 9, 3, out, reg);
  CHECK(reg.kind == store::watch_kind::none);
  CHECK(out.size() == 4 + 16);
  CHECK(store::classify(jute::opcode::add_watch) == store::request_class::read);
  CHECK(store::classify(jute::opcode::check_watches) == store::request_class::read);
  CHECK(store::classify(jute::opcode::remove_watches) == store::request_class::read);
}
