// The jute codec: golden bytes from the jute rules, round trips of every request the server
// decodes, and malformed input (every truncation, bad lengths, absurd counts).
#include "protocol/jute/codec.hpp"
#include "protocol/jute/jute_reader.hpp"
#include "protocol/jute/opcodes.hpp"

#include <catch2/catch.hpp>

using namespace paddock::jute;

namespace {

std::string hex(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::span<const char> span_of(const std::string& s) {
  return {s.data(), s.size()};
}

// A request frame without its length prefix.
std::string frame_body(const request& r) {
  std::string out;
  encode_request_frame(out, r);
  return out.substr(4);
}

std::vector<request> sample_requests() {
  std::vector<request> out;
  out.push_back({{1, opcode::create}, create_request{"/a", "data", open_acl_unsafe(), 3, -1}});
  out.push_back({{2, opcode::create2}, create_request{"/b", "", open_acl_unsafe(), 0, -1}});
  out.push_back({{3, opcode::create_ttl}, create_request{"/t", "x", open_acl_unsafe(), 5, 1000}});
  out.push_back({{4, opcode::remove}, delete_request{"/a", 7}});
  out.push_back({{5, opcode::exists}, path_watch_request{"/a", true}});
  out.push_back({{6, opcode::get_data}, path_watch_request{"/a", false}});
  out.push_back({{7, opcode::set_data}, set_data_request{"/a", "new", -1}});
  out.push_back({{8, opcode::get_acl}, path_request{"/a"}});
  out.push_back({{9, opcode::set_acl}, set_acl_request{"/a", {acl{31, id{"digest", "u:h"}}}, 2}});
  out.push_back({{10, opcode::get_children2}, path_watch_request{"/", true}});
  out.push_back({{11, opcode::sync}, path_request{"/"}});
  out.push_back({{12, opcode::check}, check_version_request{"/a", 3}});
  multi_request m;
  m.ops.push_back({opcode::create, create_request{"/m", "", open_acl_unsafe(), 0, -1}});
  m.ops.push_back({opcode::set_data, set_data_request{"/m", "v", 0}});
  m.ops.push_back({opcode::check, check_version_request{"/m", 1}});
  m.ops.push_back({opcode::remove, delete_request{"/m", -1}});
  out.push_back({{13, opcode::multi}, m});
  set_watches_request sw{42, {"/d"}, {"/e1", "/e2"}, {"/c"}, {}, {}};
  out.push_back({{xid::set_watches, opcode::set_watches}, sw});
  set_watches_request sw2{43, {"/d"}, {}, {}, {"/p"}, {"/r"}};
  out.push_back({{xid::set_watches, opcode::set_watches2}, sw2});
  out.push_back({{xid::auth, opcode::auth}, auth_packet{0, "digest", "user:pw"}});
  out.push_back({{14, opcode::remove_watches}, watch_request{"/a", 1}});
  out.push_back({{15, opcode::add_watch}, add_watch_request{"/a", 1}});
  out.push_back({{xid::ping, opcode::ping}, empty_request{}});
  out.push_back({{16, opcode::close_session}, empty_request{}});
  multi_read_request mr;
  mr.ops.push_back({opcode::get_data, path_watch_request{"/a", false}});
  mr.ops.push_back({opcode::get_children, path_watch_request{"/b", true}});
  out.push_back({{17, opcode::multi_read}, mr});
  out.push_back({{18, opcode::get_all_children_number}, path_request{"/a"}});
  out.push_back({{19, opcode::get_ephemerals}, path_request{"/"}});
  // reconfig: null and empty strings are told apart (incremental vs bulk).
  out.push_back({{20, opcode::reconfig},
                 reconfig_request{"server.4=127.0.0.1:2888:3888;2184", std::nullopt, std::nullopt,
                                  0x100000000}});
  out.push_back({{21, opcode::reconfig}, reconfig_request{std::nullopt, "2", "", -1}});
  out.push_back({{22, opcode::sasl}, sasl_request{std::string("\0token", 6)}});
  return out;
}

} // namespace

TEST_CASE("a ConnectRequest encodes to ZooKeeper's bytes") {
  connect_request r;
  r.timeout_ms = 30000;
  r.passwd = std::string(16, '\0');
  std::string out;
  encode(out, r);
  CHECK(hex(out) == "00000000"                         // protocolVersion
                    "0000000000000000"                 // lastZxidSeen
                    "00007530"                         // timeOut 30000
                    "0000000000000000"                 // sessionId
                    "00000010"                         // passwd length 16
                    "00000000000000000000000000000000" // passwd
                    "00");                             // readOnly
  connect_request back;
  REQUIRE(decode_connect_request(span_of(out), back) == decode_status::ok);
  CHECK(back.timeout_ms == 30000);
  CHECK(back.has_read_only);
}

TEST_CASE("a ConnectRequest without the readOnly byte (clients before 3.4) decodes") {
  connect_request r;
  r.timeout_ms = 5000;
  r.session_id = 0x1234;
  r.passwd = "0123456789abcdef";
  r.has_read_only = false;
  std::string out;
  encode(out, r);
  connect_request back;
  REQUIRE(decode_connect_request(span_of(out), back) == decode_status::ok);
  CHECK_FALSE(back.has_read_only);
  CHECK(back.session_id == 0x1234);
  CHECK(back.passwd == "0123456789abcdef");

  connect_response resp{0, 5000, 0x1234, "0123456789abcdef", false, false};
  std::string frame;
  encode_connect_response(frame, resp);
  CHECK(frame.size() == 4 + 4 + 4 + 8 + 4 + 16); // no readOnly byte either
}

TEST_CASE("a ConnectRequest's readOnly byte decodes, and a ConnectResponse carries it") {
  connect_request r;
  r.timeout_ms = 4000;
  r.passwd = std::string(16, '\0');
  r.read_only = true;
  std::string out;
  encode(out, r);
  CHECK(hex(out).ends_with("01"));
  connect_request back;
  REQUIRE(decode_connect_request(span_of(out), back) == decode_status::ok);
  CHECK(back.has_read_only);
  CHECK(back.read_only);

  connect_response resp{0, 4000, 0x1234, "0123456789abcdef", true, true};
  std::string frame;
  encode_connect_response(frame, resp);
  REQUIRE(frame.size() == 4 + 4 + 4 + 8 + 4 + 16 + 1);
  CHECK(frame.back() == 1);
  connect_response resp_back;
  REQUIRE(decode_connect_response(span_of(frame).subspan(4), resp_back) == decode_status::ok);
  CHECK(resp_back.read_only);
}

TEST_CASE("a create request frame has ZooKeeper's layout") {
  request r{{1, opcode::create}, create_request{"/a", "b", open_acl_unsafe(), 0, -1}};
  std::string out;
  encode_request_frame(out, r);
  CHECK(hex(out) == "00000032" // frame length 50
                    "00000001"
                    "00000001" // xid 1, type create
                    "00000002"
                    "2f61" // path "/a"
                    "00000001"
                    "62"       // data "b"
                    "00000001" // one ACL
                    "0000001f" // perms ALL
                    "00000005"
                    "776f726c64" // "world"
                    "00000006"
                    "616e796f6e65" // "anyone"
                    "00000000");   // flags
}

TEST_CASE("reply headers and notifications have ZooKeeper's layout") {
  std::string out;
  encode_reply(out, reply_header{5, 0x100000002, -101});
  CHECK(hex(out) == "00000010"
                    "00000005"
                    "0000000100000002"
                    "ffffff9b");
  out.clear();
  encode_event(out, -1,
               watcher_event{event_type::node_data_changed, keeper_state::sync_connected, "/x"});
  CHECK(hex(out) == "0000001e"
                    "ffffffff"
                    "ffffffffffffffff"
                    "00000000" // header
                    "00000003"
                    "00000003"
                    "00000002"
                    "2f78"); // event
  watcher_event back;
  REQUIRE(decode_event(std::span<const char>(out.data() + 4 + 16, out.size() - 20), back) ==
          decode_status::ok);
  CHECK(back.path == "/x");
  CHECK(back.type == event_type::node_data_changed);
}

TEST_CASE("every request the server decodes round-trips") {
  for (const auto& r : sample_requests()) {
    INFO("opcode " << r.header.type);
    auto body = frame_body(r);
    request back;
    REQUIRE(decode_request(span_of(body), back) == decode_status::ok);
    CHECK(back.header.xid == r.header.xid);
    CHECK(back.header.type == r.header.type);
    CHECK(back.body.index() == r.body.index());
    // Re-encoding what was decoded gives the same bytes: nothing was lost or invented.
    CHECK(frame_body(back) == body);
  }
}

TEST_CASE("every truncation of a valid frame is an error, never a crash") {
  for (const auto& r : sample_requests()) {
    auto body = frame_body(r);
    for (size_t cut = 0; cut < body.size(); ++cut) {
      INFO("opcode " << r.header.type << " cut at " << cut);
      request back;
      auto status = decode_request(std::span<const char>(body.data(), cut), back);
      const bool body_less =
          r.header.type == opcode::ping || r.header.type == opcode::close_session;
      if (body_less && cut >= 8)
        CHECK(status == decode_status::ok);
      else
        CHECK(status != decode_status::ok);
    }
  }
}

TEST_CASE("bytes after a record are ignored, as ZooKeeper ignores them") {
  auto body = frame_body({{1, opcode::get_data}, path_watch_request{"/a", true}});
  body += "trailing";
  request back;
  CHECK(decode_request(span_of(body), back) == decode_status::ok);
}

TEST_CASE("negative lengths other than -1 and absurd counts are refused") {
  std::string body;
  encode(body, request_header{1, opcode::get_data});
  std::string bad = body + std::string("\xff\xff\xff\xfe", 4) + "\x01";
  request back;
  CHECK(decode_request(span_of(bad), back) != decode_status::ok);

  // A create whose ACL count claims 2^30 entries in a tiny frame.
  std::string create;
  encode(create, request_header{2, opcode::create});
  create +=
      std::string("\0\0\0\x02/a", 6) + std::string("\0\0\0\0", 4) + std::string("\x40\0\0\0", 4);
  CHECK(decode_request(span_of(create), back) != decode_status::ok);
}

TEST_CASE("an unknown opcode keeps its header so the server can answer it") {
  std::string body;
  encode(body, request_header{77, 999});
  request back;
  CHECK(decode_request(span_of(body), back) == decode_status::unknown_opcode);
  CHECK(back.header.xid == 77);
  CHECK(back.header.type == 999);
}

TEST_CASE("a multi with an op type a multi cannot carry is malformed") {
  std::string body;
  encode(body, request_header{1, opcode::multi});
  body += std::string("\0\0\0\x04", 4) + '\0' + std::string("\xff\xff\xff\xff", 4); // getData
  body += std::string("\0\0\0\x02/a", 6) + '\0';
  request back;
  CHECK(decode_request(span_of(body), back) == decode_status::malformed);
}

TEST_CASE("multi responses encode ZooKeeper's results and decode back") {
  stat st;
  st.version = 4;
  std::vector<multi_result_entry> results = {
      {opcode::create, 0, "/a", {}},
      {opcode::create_container, 0, "/c", st}, // reported as create2, as ZooKeeper does
      {opcode::set_data, 0, "", st},
      {opcode::remove, 0, "", {}},
      {opcode::check, 0, "", {}},
      {opcode::error, -101, "", {}},
  };
  std::string out;
  encode_multi_response(out, results);
  std::vector<multi_result_entry> back;
  REQUIRE(decode_multi_response(span_of(out), back) == decode_status::ok);
  REQUIRE(back.size() == results.size());
  CHECK(back[0].path == "/a");
  CHECK(back[1].type == opcode::create2);
  CHECK(back[1].stat.version == 4);
  CHECK(back[2].stat.version == 4);
  CHECK(back[5].type == opcode::error);
  CHECK(back[5].err == -101);
}

TEST_CASE("stats round-trip field by field") {
  stat st{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  std::string out;
  encode(out, st);
  CHECK(out.size() == 68);
  stat back;
  REQUIRE(decode_stat(span_of(out), back) == decode_status::ok);
  CHECK(back == st);
}

TEST_CASE("error names are ZooKeeper's") {
  CHECK(error_name(error_code::no_node) == "NoNode");
  CHECK(error_name(error_code::bad_version) == "BadVersion");
  CHECK(error_name(error_code::runtime_inconsistency) == "RuntimeInconsistency");
}

TEST_CASE("a multiRead has a multi's layout with getData / getChildren bodies") {
  multi_read_request mr;
  mr.ops.push_back({opcode::get_data, path_watch_request{"/a", false}});
  auto body = frame_body({{5, opcode::multi_read}, mr});
  CHECK(hex(body) == "00000005"
                     "00000016" // header: xid, multiRead
                     "00000004"
                     "00"
                     "ffffffff" // MultiHeader{getData, done=false, -1}
                     "00000002"
                     "2f61"
                     "00" // GetDataRequest{"/a", false}
                     "ffffffff"
                     "01"
                     "ffffffff"); // MultiHeader{-1, done=true, -1}
  request back;
  REQUIRE(decode_request(span_of(body), back) == decode_status::ok);
  const auto& m = std::get<multi_read_request>(back.body);
  REQUIRE(m.ops.size() == 1);
  CHECK(m.ops[0].type == opcode::get_data);
  CHECK(m.ops[0].body.path == "/a");
}

TEST_CASE("a multiRead with a write inside is malformed") {
  std::string body;
  encode(body, request_header{1, opcode::multi_read});
  std::string ops;
  {
    multi_request m;
    m.ops.push_back({opcode::remove, delete_request{"/a", -1}});
    std::string frame;
    encode_request_frame(frame, {{1, opcode::multi}, m});
    ops = frame.substr(4 + 8); // the op stream after the request header
  }
  body += ops;
  request back;
  CHECK(decode_request(span_of(body), back) == decode_status::malformed);
}

// What ZooKeeper 3.8 does with frames that do not decode, measured against it (see
// tests/integration/test_limits.py): MarshallingError with the connection kept for a bad
// body, a close for a bad header or a bad auth / sasl packet, Unimplemented and a close for
// an opcode it does not know.
namespace {
request_action action_of(const std::string& body) {
  request back;
  const auto status = decode_request(span_of(body), back); // before back.header is read
  return action_for(status, back.header.type);
}
std::string header_bytes(int32_t xid, int32_t type) {
  std::string out;
  encode(out, request_header{xid, type});
  return out;
}
} // namespace

TEST_CASE("a frame shorter than a RequestHeader closes the connection") {
  for (size_t n = 0; n < 8; ++n) {
    INFO("length " << n);
    std::string body = header_bytes(1, opcode::get_data).substr(0, n);
    request back;
    CHECK(decode_request(span_of(body), back) == decode_status::short_header);
    CHECK(action_of(body) == request_action::close);
  }
}

TEST_CASE("a body that does not decode is answered MarshallingError") {
  // Every truncation of every sample request but auth (and the body-less ones).
  for (const auto& r : sample_requests()) {
    auto body = frame_body(r);
    for (size_t cut = 8; cut < body.size(); ++cut) {
      INFO("opcode " << r.header.type << " cut at " << cut);
      auto action = action_of(body.substr(0, cut));
      if (r.header.type == opcode::auth || r.header.type == opcode::sasl)
        CHECK(action == request_action::close);
      else
        CHECK(action == request_action::marshalling_error);
    }
  }
  // Absurd lengths and counts, a multi with a read inside, createSession from a client.
  CHECK(action_of(header_bytes(1, opcode::create) + std::string("\xff\xff\xff\xfb", 4)) ==
        request_action::marshalling_error);
  CHECK(action_of(header_bytes(1, opcode::create) + std::string("\0\0\0\x02/a\0\0\0\0", 10) +
                  std::string("\x40\0\0\0", 4)) == request_action::marshalling_error);
  std::string multi = header_bytes(1, opcode::multi) +
                      std::string("\0\0\0\x04\0\xff\xff\xff\xff", 9) +
                      std::string("\0\0\0\x02/a\0", 7);
  CHECK(action_of(multi) == request_action::marshalling_error);
  CHECK(action_of(header_bytes(1, opcode::create_session)) == request_action::marshalling_error);
  CHECK(action_of(header_bytes(1, opcode::create_session) + std::string("\0\0\x0f\xa0", 4)) ==
        request_action::marshalling_error);
  CHECK(unserved_answer(opcode::undecodable) == error_code::marshalling_error);
  CHECK(unserved_answer(opcode::create_session) == error_code::marshalling_error);
}

TEST_CASE("bad auth and sasl packets close the connection") {
  CHECK(action_of(header_bytes(xid::auth, opcode::auth)) == request_action::close);
  CHECK(action_of(header_bytes(xid::auth, opcode::auth) + std::string("\0\0\0\0\0\0\x03\xe8", 8)) ==
        request_action::close);
  CHECK(action_of(header_bytes(1, opcode::sasl)) == request_action::close);
  CHECK(action_of(header_bytes(1, opcode::sasl) + std::string("\0\0\0\0", 4)) ==
        request_action::serve);
}

TEST_CASE("an unknown opcode is Unimplemented, then a close") {
  for (int32_t type : {999, opcode::notification, opcode::error, 10})
    CHECK(action_of(header_bytes(1, type)) == request_action::unimplemented_close);
  CHECK(unserved_answer(opcode::create_ttl) == error_code::unimplemented);
}

TEST_CASE("deleteContainer from a client decodes from any body and is BadArguments") {
  for (std::string tail : {std::string(), std::string("/c"), std::string("\0\0\0\x02/c", 6),
                           std::string("\0\0\0\x02/c\xff\xff\xff\xff", 10)}) {
    request back;
    CHECK(decode_request(span_of(header_bytes(1, opcode::delete_container) + tail), back) ==
          decode_status::ok);
  }
  CHECK(unserved_answer(opcode::delete_container) == error_code::bad_arguments);
}

TEST_CASE("reconfig decodes a ReconfigRequest and is ReconfigDisabled") {
  std::string body = header_bytes(1, opcode::reconfig);
  body += std::string("\xff\xff\xff\xff", 4) + std::string("\xff\xff\xff\xff", 4) +
          std::string("\0\0\0\0", 4) + std::string(8, '\xff');
  CHECK(action_of(body) == request_action::serve);
  request back;
  REQUIRE(decode_request(span_of(body), back) == decode_status::ok);
  const auto& rc = std::get<reconfig_request>(back.body);
  CHECK_FALSE(rc.joining_servers.has_value());
  CHECK_FALSE(rc.leaving_servers.has_value());
  CHECK(rc.new_members == std::optional<std::string>(""));
  CHECK(rc.cur_config_id == -1);
  for (size_t cut = 8; cut < body.size(); ++cut)
    CHECK(action_of(body.substr(0, cut)) == request_action::marshalling_error);
  CHECK(unserved_answer(opcode::reconfig) == error_code::reconfig_disabled);
}

TEST_CASE("the sasl answer without a SASL server is ZooKeeper's bytes") {
  std::string out;
  encode_sasl_reply(out, 3);
  CHECK(hex(out) == "00000014"
                    "00000003"
                    "0000000000000000"
                    "00000000"
                    "ffffffff");
}

TEST_CASE("a SASL step's answer carries the error and the token") {
  std::string out;
  encode_sasl_reply(out, 2, 0, std::string("rspauth=ab"));
  CHECK(hex(out) == "0000001e"
                    "00000002"
                    "0000000000000000"
                    "00000000"
                    "0000000a"
                    "7273706175"
                    "74683d6162");
  out.clear();
  encode_sasl_reply(out, 2, -115, std::nullopt); // AuthFailed, a null token
  CHECK(hex(out) == "00000014"
                    "00000002"
                    "0000000000000000"
                    "ffffff8d"
                    "ffffffff");
}
