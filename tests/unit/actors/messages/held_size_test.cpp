// What a message held back behind a SNAP stream is charged (actors/messages/held_size.hpp):
// the bytes it carries plus fixed amounts, so that the leader's backlog is bounded in bytes
// whatever the batches hold, and a flood of small messages is bounded too.
#include "actors/messages/held_size.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace paddock;
using namespace paddock::actors;

namespace {

zab::txn txn_of(int64_t counter, size_t payload_bytes) {
  return {zab::make_zxid(5, counter), std::string(payload_bytes, 'p'), std::nullopt};
}

zab::ensemble three_servers() {
  zab::ensemble e;
  e.members = {{1, true}, {2, true}, {3, false}};
  e.version = zab::make_zxid(4, 0);
  e.text = "server.1=a:2888:3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888:observer\n";
  return e;
}

} // namespace

TEST_CASE("a proposal is charged its txns' payloads plus a fixed amount per txn and per message",
          "[held_size]") {
  const zab::proposal p{{txn_of(1, 10), txn_of(2, 1000), txn_of(3, 0)}};
  const uint64_t expected = held_message_bytes + 3 * held_txn_bytes + 10 + 1000 + 0;
  CHECK(held_size(zab::message{p}) == expected);
  // An observer's inform carries the same txns, and costs the same.
  CHECK(held_size(zab::message{zab::inform{p.txns}}) == expected);
  // An empty batch is its slot alone.
  CHECK(held_size(zab::message{zab::proposal{}}) == held_message_bytes);
}

TEST_CASE("a proposal's charge grows with its payload bytes, not only with its txns",
          "[held_size]") {
  // One batch of 1,000 txns of 1 KiB costs at least its megabyte: a count of messages would
  // have called it one.
  std::vector<zab::txn> txns;
  for (int i = 1; i <= 1000; ++i)
    txns.push_back(txn_of(i, 1024));
  const uint64_t big = held_size(zab::message{zab::proposal{txns}});
  CHECK(big >= 1000 * 1024);
  CHECK(big == held_message_bytes + 1000 * (held_txn_bytes + 1024));
  // The same count of txns with one byte more each costs exactly those bytes more.
  for (auto& t : txns)
    t.payload = std::string(1025, 'q');
  CHECK(held_size(zab::message{zab::proposal{txns}}) == big + 1000);
}

TEST_CASE("a reconfig txn is charged the configuration it carries too", "[held_size]") {
  auto t = txn_of(1, 40);
  t.config = three_servers();
  const uint64_t config_bytes = t.config->text.size() + 3 * held_member_bytes;
  CHECK(held_size(zab::message{zab::proposal{{t}}}) ==
        held_message_bytes + held_txn_bytes + 40 + config_bytes);
}

TEST_CASE("messages carrying a configuration are charged its text and members", "[held_size]") {
  const auto e = three_servers();
  const uint64_t expected = held_message_bytes + e.text.size() + 3 * held_member_bytes;
  CHECK(held_size(zab::message{zab::new_leader{5, e}}) == expected);
  CHECK(held_size(zab::message{zab::up_to_date{e}}) == expected);
  zab::notification n;
  n.config = e;
  CHECK(held_size(zab::message{n}) == expected);
  CHECK(held_size(zab::message{zab::new_leader{5, {}}}) == held_message_bytes);
}

TEST_CASE("small messages cost a fixed amount, so a flood of them is bounded too", "[held_size]") {
  const std::vector<zab::message> small{
      zab::commit{7},       zab::ack{7},         zab::ping{7},       zab::read_round{3},
      zab::sync_snap{7, 1}, zab::sync_diff{7},   zab::sync_trunc{7}, zab::learner_info{},
      zab::leader_info{5},  zab::ack_epoch{4, 7}};
  for (const auto& m : small) {
    INFO(zab::message_name(m));
    CHECK(held_size(m) == held_message_bytes);
  }
  for (const app_message& m : std::vector<app_message>{forward_sync{1}, sync_ack{1},
                                                       forward_read{1}, read_index_ack{1, 7}})
    CHECK(held_size(m) == held_message_bytes);
  // At the default limit a backlog of nothing but commits is cut at 1,048,576 of them.
  CHECK(snap_held_bytes_limit / held_size(zab::message{zab::commit{7}}) == 1024 * 1024);
}

TEST_CASE("the ensemble's own messages are charged what they carry", "[held_size]") {
  const app_message writes{forward_writes{{std::string("txn\0bytes", 9), "second", ""}}};
  CHECK(held_size(writes) == held_message_bytes + 3 * held_txn_bytes + 9 + 6 + 0);

  std::vector<std::pair<int64_t, int64_t>> digests(65536, {1, 2});
  CHECK(held_size(app_message{tree_digest_report{digests}}) ==
        held_message_bytes + 65536 * held_digest_entry_bytes);

  CHECK(held_size(app_message{session_touches{{1, 2, 3}}}) ==
        held_message_bytes + 3 * held_session_id_bytes);
}

TEST_CASE("a held message is charged the same whichever variant carries it", "[held_size]") {
  const zab::message zm{zab::proposal{{txn_of(1, 300), txn_of(2, 5)}}};
  const app_message am{session_touches{{1, 2}}};
  CHECK(held_size(std::variant<zab::message, app_message>{zm}) == held_size(zm));
  CHECK(held_size(std::variant<zab::message, app_message>{am}) == held_size(am));
}
