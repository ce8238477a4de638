// ZooKeeper's transaction log: records read back with their headers; where the data ends as
// ZooKeeper's FileTxnIterator decides (end of file, preallocated zeros, a torn record at any
// cut); a checksum mismatch and a bad magic are errors.
#include "store/zookeeper/zk_txn_log.hpp"
#include "zk_files.hpp"

#include <catch2/catch.hpp>

using namespace paddock;
using namespace paddock::store::zookeeper;
namespace zkf = paddock::testing::zk;
namespace op = jute::opcode;

namespace {

std::vector<zkf::log_txn> three() {
  return {{7, 0x100000001, 1000, op::create_session, zkf::int_txn(5000)},
          {7, 0x100000002, 1001, op::create, zkf::create_txn("/a", "x", false, 1)},
          {7, 0x100000003, 1002, op::set_data, zkf::set_data_txn("/a", "y", 1)}};
}

} // namespace

TEST_CASE("zk log: records and their headers, up to the preallocated zeros") {
  auto parsed_bytes = zkf::log_file(three(), 4096);
  auto log = parse_zk_log(parsed_bytes);
  REQUIRE(log.ok);
  CHECK(log.end == zk_log_end::zero_padding);
  REQUIRE(log.records.size() == 3);
  CHECK(log.records[0].header.client_id == 7);
  CHECK(log.records[0].header.type == op::create_session);
  CHECK(log.records[1].header.zxid == 0x100000002);
  CHECK(log.records[2].header.time == 1002);
  // The body starts right after the TxnHeader (the TxnDigest stays at its end).
  CHECK(log.records[0].body.substr(0, 4) == std::string("\0\0\x13\x88", 4));

  auto exact = zkf::log_file(three());
  auto whole = parse_zk_log(exact);
  REQUIRE(whole.ok);
  CHECK(whole.end == zk_log_end::end_of_file);
  CHECK(whole.records.size() == 3);
}

TEST_CASE("zk log: a cut at any offset keeps the whole records before it") {
  const auto full = zkf::log_file(three());
  std::vector<size_t> ends{16};
  for (const auto& t : three())
    ends.push_back(ends.back() + zkf::log_record(t).size());
  for (size_t len = 16; len <= full.size(); ++len) {
    auto cut = full.substr(0, len);
    auto log = parse_zk_log(cut);
    INFO("cut at " << len);
    REQUIRE(log.ok);
    size_t whole = 0;
    while (whole + 1 < ends.size() && ends[whole + 1] <= len)
      ++whole;
    CHECK(log.records.size() == whole);
    CHECK(log.end == (ends[whole] == len ? zk_log_end::end_of_file : zk_log_end::torn));
  }
}

TEST_CASE("zk log: a record whose 'B' is missing is torn") {
  auto bytes = zkf::log_file(three());
  bytes.back() = '\0'; // the last record's end byte
  auto log = parse_zk_log(bytes);
  REQUIRE(log.ok);
  CHECK(log.records.size() == 2);
  CHECK(log.end == zk_log_end::torn);
}

TEST_CASE("zk log: a checksum mismatch or a bad magic is an error") {
  auto bytes = zkf::log_file(three());
  bytes[16 + 12 + 30] ^= 0x01; // inside the first record's txn bytes
  auto log = parse_zk_log(bytes);
  CHECK_FALSE(log.ok);
  CHECK(log.error.find("checksum mismatch") != std::string::npos);

  auto magic = zkf::log_file(three());
  magic.replace(0, 4, "ZKSN");
  CHECK_FALSE(parse_zk_log(magic).ok);
  CHECK_FALSE(parse_zk_log("ZKLG").ok);
}
