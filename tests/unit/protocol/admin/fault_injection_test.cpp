// The test-only fault-injection command: reading its line, parsing it, the answer lines.
#include "protocol/admin/fault_injection.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace paddock::admin;

TEST_CASE("a fault-injection command opens with kill") {
  CHECK(is_fault_command("kill"));
  CHECK_FALSE(is_fault_command("ruok"));
  CHECK_FALSE(is_fault_command("kil"));
  CHECK_FALSE(is_fault_command("KILL"));
}

TEST_CASE("the command line is complete at its newline, within the limit") {
  CHECK(scan_fault_line("kill") == fault_line_state::incomplete);
  CHECK(scan_fault_line("kill session") == fault_line_state::incomplete);
  CHECK(scan_fault_line("kill session\n") == fault_line_state::complete);
  CHECK(scan_fault_line("kill store\r\n") == fault_line_state::complete);
  // Bytes after the newline do not matter.
  CHECK(scan_fault_line("kill store\nmore") == fault_line_state::complete);

  std::string longest = "kill " + std::string(max_fault_line - 6, 'x') + "\n";
  REQUIRE(longest.size() == max_fault_line);
  CHECK(scan_fault_line(longest) == fault_line_state::complete);
  std::string one_more = "kill " + std::string(max_fault_line - 5, 'x') + "\n";
  CHECK(scan_fault_line(one_more) == fault_line_state::too_long);
  CHECK(scan_fault_line(std::string(max_fault_line - 1, 'x')) == fault_line_state::incomplete);
  CHECK(scan_fault_line(std::string(max_fault_line, 'x')) == fault_line_state::too_long);
}

TEST_CASE("targets without an argument") {
  struct {
    const char* line;
    fault_target target;
  } cases[] = {
      {"kill session\n", fault_target::session},
      {"kill follower-link\n", fault_target::follower_link},
      {"kill pipeline\n", fault_target::pipeline},
      {"kill watch-manager\n", fault_target::watch_manager},
      {"kill store", fault_target::store},
      {"kill log-writer\r\n", fault_target::log_writer},
      {"kill  peer-links \n", fault_target::peer_links},
      {"kill\tsession-tracker\n", fault_target::session_tracker},
      {"kill next-set-data\n", fault_target::next_set_data},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    auto r = parse_fault_command(c.line);
    REQUIRE(r.request);
    CHECK(r.request->target == c.target);
    CHECK_FALSE(r.request->id);
    CHECK(r.error.empty());
  }
}

TEST_CASE("a session id is hex, as ZooKeeper prints it: a server id is decimal") {
  auto r = parse_fault_command("kill session 0x1000af3c2b40000\n");
  REQUIRE(r.request);
  CHECK(r.request->target == fault_target::session);
  CHECK(r.request->id == int64_t{0x1000af3c2b40000});

  r = parse_fault_command("kill session 1f\n");
  REQUIRE(r.request);
  CHECK(r.request->id == int64_t{0x1f});

  // All 64 bits: a server id of 128 or more makes the session id negative.
  r = parse_fault_command("kill session 0xff00000000000001\n");
  REQUIRE(r.request);
  CHECK(r.request->id == static_cast<int64_t>(0xff00000000000001ull));

  r = parse_fault_command("kill follower-link 3\n");
  REQUIRE(r.request);
  CHECK(r.request->target == fault_target::follower_link);
  CHECK(r.request->id == int64_t{3});
}

TEST_CASE("anything else is answered with what went wrong") {
  auto unknown = parse_fault_command("kill everything\n");
  CHECK_FALSE(unknown.request);
  CHECK(unknown.error.rfind("unknown target 'everything'; valid targets: session", 0) == 0);
  CHECK(unknown.error.find("session-tracker") != std::string::npos);
  CHECK(unknown.error.back() == '\n');

  CHECK(parse_fault_command("kill\n").error.rfind("unknown target ''", 0) == 0);
  CHECK(parse_fault_command("kill Session\n").error.rfind("unknown target 'Session'", 0) == 0);
  CHECK(parse_fault_command("stat\n").error.rfind("unknown command", 0) == 0);
  CHECK(parse_fault_command("kill session 0xzz\n").error == "bad session id '0xzz'\n");
  CHECK(parse_fault_command("kill session 0x\n").error == "bad session id '0x'\n");
  CHECK(parse_fault_command("kill session 0x10000000000000000\n").error ==
        "bad session id '0x10000000000000000'\n");
  CHECK(parse_fault_command("kill follower-link -1\n").error == "bad server id '-1'\n");
  CHECK(parse_fault_command("kill follower-link 0x2\n").error == "bad server id '0x2'\n");
  CHECK(parse_fault_command("kill store 1\n").error.rfind("too many arguments for 'store'", 0) ==
        0);
  CHECK(parse_fault_command("kill session 1 2\n").error.rfind("too many arguments", 0) == 0);
}

TEST_CASE("answer lines") {
  CHECK(fault_killed_answer({fault_target::session, int64_t{0x1a2b}}) == "killed session 0x1a2b\n");
  CHECK(fault_killed_answer({fault_target::session, static_cast<int64_t>(0xff00000000000001ull)}) ==
        "killed session 0xff00000000000001\n");
  CHECK(fault_killed_answer({fault_target::follower_link, int64_t{2}}) ==
        "killed follower-link 2\n");
  CHECK(fault_killed_answer({fault_target::watch_manager, std::nullopt}) ==
        "killed watch-manager\n");
  CHECK(fault_nothing_answer(fault_target::session) == "no session\n");
  CHECK(fault_nothing_answer(fault_target::follower_link) == "no follower link\n");
  CHECK(fault_nothing_answer(fault_target::peer_links) == "no peer-links\n");
  for (auto t : {fault_target::session, fault_target::follower_link, fault_target::pipeline,
                 fault_target::watch_manager, fault_target::store, fault_target::log_writer,
                 fault_target::peer_links, fault_target::session_tracker}) {
    auto line = "kill " + std::string(fault_target_name(t)) + "\n";
    auto r = parse_fault_command(line);
    REQUIRE(r.request);
    CHECK(r.request->target == t);
  }
}
