// Four-letter-word answers in ZooKeeper 3.8's formats (captured from the real server).
#include "protocol/admin/four_letter_words.hpp"

#include <catch2/catch.hpp>

using namespace paddock::admin;

namespace {
server_snapshot sample() {
  server_snapshot s;
  s.version = "3.8.0-paddock";
  s.zxid = 0x1a53c;
  s.node_count = 10;
  s.min_latency_ms = 0;
  s.avg_latency_ms = 0.6459;
  s.max_latency_ms = 31;
  s.packets_received = 553101;
  s.packets_sent = 553100;
  s.alive_connections = 1;
  s.watch_count = 3;
  s.data_watch_count = 3;
  s.watched_paths = 2;
  s.watching_connections = 1;
  connection_info c;
  c.remote = "/127.0.0.1:36742";
  c.received = 1;
  s.connections.push_back(c);
  return s;
}
} // namespace

TEST_CASE("srvr and stat as ZooKeeper prints them") {
  auto s = sample();
  CHECK(answer("srvr", s) == "Zookeeper version: 3.8.0-paddock\n"
                             "Latency min/avg/max: 0/0.6459/31\n"
                             "Received: 553101\n"
                             "Sent: 553100\n"
                             "Connections: 1\n"
                             "Outstanding: 0\n"
                             "Zxid: 0x1a53c\n"
                             "Mode: standalone\n"
                             "Node count: 10\n");
  auto stat = answer("stat", s);
  CHECK(stat.find("Clients:\n /127.0.0.1:36742[1](queued=0,recved=1,sent=0)\n\n") !=
        std::string::npos);
  CHECK(stat.find("Mode: standalone\n") != std::string::npos);
}

TEST_CASE("mntr is tab-separated zk_ keys") {
  auto m = answer("mntr", sample());
  CHECK(m.find("zk_server_state\tstandalone\n") != std::string::npos);
  CHECK(m.find("zk_avg_latency\t0.6459\n") != std::string::npos);
  CHECK(m.find("zk_znode_count\t10\n") != std::string::npos);
  CHECK(m.find("zk_watch_count\t3\n") != std::string::npos);
}

TEST_CASE("the small words") {
  auto s = sample();
  CHECK(answer("ruok", s) == "imok");
  CHECK(answer("isro", s) == "rw");
  CHECK(answer("wchs", s) == "1 connections watching 2 paths\nTotal watches:3\n");
  CHECK(answer("crst", s) == "Connection stats reset.\n");
  CHECK(answer("srst", s) == "Server stats reset.\n");
  CHECK(not_whitelisted_message("mntr") ==
        "mntr is not executed because it is not in the whitelist.\n");
}

TEST_CASE("cons shows the session details of established connections") {
  auto s = sample();
  s.connections[0].session_id = 0x100000f24e60000;
  s.connections[0].last_op = "GETD";
  s.connections[0].timeout_ms = 30000;
  s.connections[0].last_cxid = 3;
  s.connections[0].last_zxid = 5;
  auto cons = answer("cons", s);
  CHECK(cons.find(",sid=0x100000f24e60000,lop=GETD,") != std::string::npos);
  CHECK(cons.find(",to=30000,lcxid=0x3,lzxid=0x5,") != std::string::npos);
}

TEST_CASE("watch listings by session and by path") {
  auto s = sample();
  s.watches_by_session = {{0x10, {"/a", "/b"}}};
  s.watches_by_path = {{"/a", {0x10}}};
  CHECK(answer("wchc", s) == "0x10\n\t/a\n\t/b\n\n");
  CHECK(answer("wchp", s) == "/a\n\t0x10\n\n");
}

TEST_CASE("four-letter words are recognised by their first four bytes") {
  CHECK(is_four_letter_word("ruok"));
  CHECK(is_four_letter_word("mntr"));
  CHECK_FALSE(is_four_letter_word("abcd"));
  CHECK_FALSE(is_four_letter_word(std::string("\0\0\0\x2d", 4)));
  CHECK(operation_name(4) == "GETD");
  CHECK(operation_name(-10) == "SESS");
}

// ZooKeeper reads a connection's first 4 bytes however they are split over TCP segments,
// then decides (measured against 3.8: "ru" then "ok" is answered imok).
TEST_CASE("the first bytes of a connection are classified once 4 have come") {
  for (auto head : {std::string_view(""), std::string_view("r"), std::string_view("ru"),
                    std::string_view("ruo"), std::string_view("\0\0\0", 3)})
    CHECK(classify_first_bytes(head) == first_bytes_kind::incomplete);
  CHECK(classify_first_bytes("ruok") == first_bytes_kind::four_letter_word);
  CHECK(classify_first_bytes("ruok\n") == first_bytes_kind::four_letter_word);
  CHECK(classify_first_bytes("srvr") == first_bytes_kind::four_letter_word);
  CHECK(classify_first_bytes("ruoK") == first_bytes_kind::other);
  CHECK(classify_first_bytes(std::string_view("\0\0\0\x2d\0\0", 6)) == first_bytes_kind::other);
  CHECK(classify_first_bytes("kill 1") == first_bytes_kind::other);
}

TEST_CASE("conf of an ensemble member ends with its membership, as ZooKeeper 3.8 prints it") {
  server_snapshot s;
  s.config = {{"serverId", "1"}, {"peerType", "0"}};
  CHECK(answer("conf", s) == "serverId=1\npeerType=0\n"); // standalone: no membership
  s.membership = "server.1=127.0.0.1:24100:24200:participant\n"
                 "server.2=127.0.0.1:24101:24201:participant\n"
                 "version=100000000";
  // Captured from ZooKeeper 3.8: "membership: " with its trailing space, the lines, and no
  // newline after the version.
  CHECK(answer("conf", s) == "serverId=1\npeerType=0\nmembership: \n"
                             "server.1=127.0.0.1:24100:24200:participant\n"
                             "server.2=127.0.0.1:24101:24201:participant\n"
                             "version=100000000");
}

TEST_CASE("hash: one line per digest kept, zxid in hex, as ZooKeeper's DigestCommand") {
  server_snapshot s;
  CHECK(answer("hash", s).empty());
  s.digest_history = {{0x100000080, 1234567890123}, {0x100000100, -5}};
  CHECK(answer("hash", s) == "100000080: 1234567890123\n100000100: -5\n");
}
