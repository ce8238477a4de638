// stamp_txn: a learner's forwarded bytes with the leader's zxid 0 and clock appended decode
// to the same txn as decoding, stamping and encoding it again would give.
#include "store/disk/txn_codec.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>

using namespace paddock;

namespace {

store::txn set_data_txn() {
  store::txn t;
  t.session_id = 0x1234'5678'9abcLL;
  t.cxid = 77;
  t.type = jute::opcode::set_data;
  t.ops.push_back({jute::opcode::set_data, jute::set_data_request{"/a/b", "value", 3}});
  t.auth = std::make_shared<const std::vector<jute::id>>(
      std::vector<jute::id>{{"ip", "127.0.0.1"}, {"digest", "u:h"}});
  return t;
}

void check_same(const store::txn& a, const store::txn& b) {
  std::string ea, eb;
  store::encode_txn(a, ea);
  store::encode_txn(b, eb);
  CHECK(ea == eb); // every field, through the canonical encoding
}

} // namespace

TEST_CASE("stamp_txn sets zxid 0 and the leader's time on forwarded bytes") {
  for (int64_t time_ms : {int64_t{0}, int64_t{1}, int64_t{127}, int64_t{128},
                          int64_t{1'796'655'764'004}, int64_t{-5}, INT64_MAX}) {
    auto t = set_data_txn();
    t.zxid = 0x5'0000'0007LL; // whatever the learner left there is replaced by 0
    t.time_ms = 42;
    std::string forwarded;
    store::encode_txn(t, forwarded);
    store::txn stamped;
    REQUIRE(store::decode_txn(store::stamp_txn(forwarded, time_ms), stamped));
    auto expected = t;
    expected.zxid = 0;
    expected.time_ms = time_ms;
    CHECK(stamped.time_ms == time_ms);
    CHECK(stamped.zxid == 0);
    check_same(stamped, expected);
  }
}

TEST_CASE("stamp_txn keeps a txn with no fields set apart from the stamp") {
  std::string empty;
  store::encode_txn(store::txn{}, empty);
  store::txn stamped;
  REQUIRE(store::decode_txn(store::stamp_txn(empty, 9), stamped));
  store::txn expected;
  expected.time_ms = 9;
  check_same(stamped, expected);
}
