// Read-only mode's decisions (protocol/client/read_only.hpp).
#include "protocol/client/read_only.hpp"
#include "protocol/jute/opcodes.hpp"

#include <catch2/catch.hpp>

using namespace paddock::client;
namespace op = paddock::jute::opcode;

TEST_CASE("the read-only grace is tickTime, but at least 2 s") {
  CHECK(read_only_grace_ms(200) == 2000);
  CHECK(read_only_grace_ms(2000) == 2000);
  CHECK(read_only_grace_ms(3000) == 3000);
}

TEST_CASE("a read-only server refuses writes, check, multi, reconfig and sync") {
  for (auto code : {op::create, op::create2, op::create_ttl, op::create_container, op::remove,
                    op::delete_container, op::set_data, op::set_acl, op::multi, op::check,
                    op::reconfig, op::sync})
    CHECK(refused_when_read_only(code));
}

TEST_CASE("a read-only server serves reads, watches, ping, auth and closeSession") {
  for (auto code : {op::exists, op::get_data, op::get_acl, op::get_children, op::get_children2,
                    op::multi_read, op::ping, op::auth, op::sasl, op::set_watches, op::set_watches2,
                    op::add_watch, op::check_watches, op::remove_watches, op::get_ephemerals,
                    op::get_all_children_number, op::who_am_i, op::close_session})
    CHECK_FALSE(refused_when_read_only(code));
}

TEST_CASE("a read-only server accepts only clients that asked for read-only") {
  CHECK(accepts_connection(true, true));
  CHECK_FALSE(accepts_connection(true, false));
  CHECK(accepts_connection(false, false));
  CHECK(accepts_connection(false, true));
}
