// The request semantics around the tree: which requests are writes, what a read replies
// and which watch it registers, and what setWatches fires after a reconnect.
#include "protocol/jute/codec.hpp"
#include "protocol/jute/jute_reader.hpp"
#include "protocol/jute/opcodes.hpp"
#include "store/requests/request_processor.hpp"

#include <catch2/catch.hpp>

using namespace paddock;
using store::request_class;
using store::watch_kind;
namespace op = jute::opcode;

namespace {

int64_t next_zxid = 0;

store::txn create_txn(const std::string& path, const std::string& data, int32_t flags = 0,
                      int64_t session = 1) {
  jute::request r;
  r.header = {1, op::create};
  r.body = jute::create_request{path, data, jute::open_acl_unsafe(), flags, -1};
  auto t = store::make_txn(std::move(r), session);
  t.zxid = ++next_zxid;
  t.time_ms = 1000;
  return t;
}

store::data_tree tree_with_session(int64_t session) {
  store::data_tree tree;
  store::txn t;
  t.type = op::create_session;
  t.session_id = session;
  t.session_timeout_ms = 10000;
  t.zxid = ++next_zxid;
  tree.apply(t);
  return tree;
}

// Splits a reply frame into its header and body.
struct parsed_reply {
  jute::reply_header header;
  std::string body;
};

parsed_reply parse(const std::string& frame) {
  REQUIRE(frame.size() >= 4);
  jute::reader len{std::string_view(frame).substr(0, 4)};
  REQUIRE(static_cast<size_t>(len.read_int()) == frame.size() - 4);
  jute::reader r{std::string_view(frame).substr(4)};
  parsed_reply out;
  out.header.xid = r.read_int();
  out.header.zxid = r.read_long();
  out.header.err = r.read_int();
  REQUIRE(r.ok());
  out.body = std::string(frame.substr(4 + 16));
  return out;
}

jute::request read_req(int32_t opcode, const std::string& path, bool watch) {
  jute::request r;
  r.header = {7, opcode};
  if (opcode == op::get_acl)
    r.body = jute::path_request{path};
  else
    r.body = jute::path_watch_request{path, watch};
  return r;
}

} // namespace

TEST_CASE("requests are classified as ZooKeeper routes them") {
  CHECK(store::classify(op::create) == request_class::write);
  CHECK(store::classify(op::create2) == request_class::write);
  CHECK(store::classify(op::remove) == request_class::write);
  CHECK(store::classify(op::set_data) == request_class::write);
  CHECK(store::classify(op::set_acl) == request_class::write);
  CHECK(store::classify(op::multi) == request_class::write);
  CHECK(store::classify(op::check) == request_class::write);
  CHECK(store::classify(op::get_data) == request_class::read);
  CHECK(store::classify(op::exists) == request_class::read);
  CHECK(store::classify(op::get_children) == request_class::read);
  CHECK(store::classify(op::get_children2) == request_class::read);
  CHECK(store::classify(op::get_acl) == request_class::read);
  CHECK(store::classify(op::sync) == request_class::sync);
  CHECK(store::classify(op::ping) == request_class::ping);
  CHECK(store::classify(op::set_watches) == request_class::set_watches);
  CHECK(store::classify(op::close_session) == request_class::close_session);
  CHECK(store::classify(op::auth) == request_class::auth);
  CHECK(store::classify(12345) == request_class::unsupported);
}

TEST_CASE("make_txn carries a single op or every op of a multi") {
  auto t = create_txn("/a", "x");
  REQUIRE(t.type == op::create);
  REQUIRE(t.ops.size() == 1);
  CHECK(std::get<jute::create_request>(t.ops[0].body).path == "/a");

  jute::request m;
  m.header = {2, op::multi};
  jute::multi_request mr;
  mr.ops.push_back({op::create, jute::create_request{"/m", "", jute::open_acl_unsafe(), 0, -1}});
  mr.ops.push_back({op::remove, jute::delete_request{"/m", -1}});
  m.body = std::move(mr);
  auto mt = store::make_txn(std::move(m), 5);
  CHECK(mt.type == op::multi);
  CHECK(mt.session_id == 5);
  REQUIRE(mt.ops.size() == 2);
  CHECK(mt.ops[1].type == op::remove);
}

TEST_CASE("exists registers a watch whether or not the node exists") {
  auto tree = tree_with_session(1);
  std::string out;
  store::watch_registration reg;
  store::execute_read(tree, read_req(op::exists, "/missing", true), 1, {}, out, reg);
  auto reply = parse(out);
  CHECK(reply.header.xid == 7);
  CHECK(reply.header.err == static_cast<int32_t>(jute::error_code::no_node));
  CHECK(reply.body.empty());
  CHECK(reg.kind == watch_kind::data);
  CHECK(reg.path == "/missing");
}

TEST_CASE("getData and getChildren register no watch on a missing node") {
  auto tree = tree_with_session(1);
  for (auto opcode : {op::get_data, op::get_children, op::get_children2}) {
    std::string out;
    store::watch_registration reg;
    store::execute_read(tree, read_req(opcode, "/missing", true), 1, {}, out, reg);
    CHECK(parse(out).header.err == static_cast<int32_t>(jute::error_code::no_node));
    CHECK(reg.kind == watch_kind::none);
  }
}

TEST_CASE("getData replies with the data and the stat, and registers a data watch") {
  auto tree = tree_with_session(1);
  auto t = create_txn("/node", "hello");
  tree.apply(t);
  std::string out;
  store::watch_registration reg;
  store::execute_read(tree, read_req(op::get_data, "/node", true), 1, {}, out, reg);
  auto reply = parse(out);
  CHECK(reply.header.err == 0);
  CHECK(reply.header.zxid == tree.last_zxid());
  jute::reader r{std::string_view(reply.body)};
  CHECK(r.read_buffer() == "hello");
  jute::stat st;
  REQUIRE(jute::decode_stat(std::span<const char>(reply.body.data() + 4 + 5, reply.body.size() - 9),
                            st) == jute::decode_status::ok);
  CHECK(st.czxid == t.zxid);
  CHECK(st.data_length == 5);
  CHECK(reg.kind == watch_kind::data);
}

TEST_CASE("getChildren2 lists the children and registers a child watch") {
  auto tree = tree_with_session(1);
  tree.apply(create_txn("/p", ""));
  tree.apply(create_txn("/p/a", ""));
  tree.apply(create_txn("/p/b", ""));
  std::string out;
  store::watch_registration reg;
  store::execute_read(tree, read_req(op::get_children2, "/p", true), 1, {}, out, reg);
  auto reply = parse(out);
  REQUIRE(reply.header.err == 0);
  jute::reader r{std::string_view(reply.body)};
  auto n = r.read_count();
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i)
    names.push_back(r.read_string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"a", "b"});
  CHECK(reg.kind == watch_kind::child);
  CHECK(reg.path == "/p");
}

TEST_CASE("exists with a NUL in the path is BadArguments and registers nothing") {
  auto tree = tree_with_session(1);
  std::string out;
  store::watch_registration reg;
  store::execute_read(tree, read_req(op::exists, std::string("/a\0b", 4), true), 1, {}, out, reg);
  CHECK(parse(out).header.err == static_cast<int32_t>(jute::error_code::bad_arguments));
  CHECK(reg.kind == watch_kind::none);
}

TEST_CASE("a write reply carries the txn's zxid and, on error, no body") {
  auto tree = tree_with_session(1);
  auto ok = create_txn("/w", "");
  auto res = tree.apply(ok);
  std::string out;
  store::encode_write_reply(out, 3, op::create, res, ok.zxid);
  auto reply = parse(out);
  CHECK(reply.header.xid == 3);
  CHECK(reply.header.zxid == ok.zxid);
  CHECK(reply.header.err == 0);
  jute::reader r{std::string_view(reply.body)};
  CHECK(r.read_string() == "/w");

  auto dup = create_txn("/w", "");
  auto res2 = tree.apply(dup);
  out.clear();
  store::encode_write_reply(out, 4, op::create, res2, dup.zxid);
  auto reply2 = parse(out);
  CHECK(reply2.header.zxid == dup.zxid);
  CHECK(reply2.header.err == static_cast<int32_t>(jute::error_code::node_exists));
  CHECK(reply2.body.empty());
}

TEST_CASE("setWatches fires for what changed since relativeZxid and registers the rest") {
  auto tree = tree_with_session(1);
  tree.apply(create_txn("/same", ""));
  tree.apply(create_txn("/changed", ""));
  tree.apply(create_txn("/parent", ""));
  const auto middle = tree.last_zxid();
  tree.apply(create_txn("/parent/kid", ""));

  jute::set_watches_request sw;
  sw.relative_zxid = middle;
  sw.data_watches = {"/same", "/changed", "/gone"};
  sw.exist_watches = {"/same", "/nothing"};
  sw.child_watches = {"/parent", "/same", "/gone"};
  auto outcome = store::evaluate_set_watches(tree, sw);

  using jute::event_type;
  std::vector<std::pair<event_type, std::string>> fired;
  for (auto& e : outcome.fire_now)
    fired.emplace_back(e.type, e.path);
  // "/changed" was created before `middle`: its mzxid is not newer, so it registers.
  CHECK(fired == std::vector<std::pair<event_type, std::string>>{
                     {event_type::node_deleted, "/gone"},
                     {event_type::node_created, "/same"},
                     {event_type::node_children_changed, "/parent"},
                     {event_type::node_deleted, "/gone"}});
  std::vector<std::pair<watch_kind, std::string>> registered;
  for (auto& r : outcome.register_now)
    registered.emplace_back(r.kind, r.path);
  CHECK(registered ==
        std::vector<std::pair<watch_kind, std::string>>{{watch_kind::data, "/same"},
                                                        {watch_kind::data, "/changed"},
                                                        {watch_kind::data, "/nothing"},
                                                        {watch_kind::child, "/same"}});
}

TEST_CASE("reads check the ACL as ZooKeeper does, and mask digests without ADMIN") {
  auto tree = tree_with_session(1);
  const jute::id owner{"digest", "alice:aGFzaA=="};
  const jute::id reader{"digest", "bob:aGFzaA=="};
  jute::request r;
  r.header = {1, op::create};
  r.body = jute::create_request{
      "/secret",
      "s",
      {jute::acl{jute::perms::all, owner}, jute::acl{jute::perms::read, reader}},
      0,
      -1};
  auto t = store::make_txn(std::move(r), 1);
  t.zxid = ++next_zxid;
  REQUIRE(tree.apply(t).err == jute::error_code::ok);

  const std::vector<jute::id> nobody;
  const std::vector<jute::id> as_owner{owner};
  const std::vector<jute::id> as_reader{reader};
  std::string out;
  store::watch_registration reg;
  store::execute_read(tree, read_req(op::get_data, "/secret", true), 1, nobody, out, reg);
  CHECK(parse(out).header.err == static_cast<int32_t>(jute::error_code::no_auth));
  CHECK(reg.kind == watch_kind::none);
  out.clear();
  store::execute_read(tree, read_req(op::get_children, "/secret", false), 1, nobody, out, reg);
  CHECK(parse(out).header.err == static_cast<int32_t>(jute::error_code::no_auth));
  out.clear();
  store::execute_read(tree, read_req(op::exists, "/secret", false), 1, nobody, out, reg);
  CHECK(parse(out).header.err == 0); // exists needs no permission
  out.clear();
  store::execute_read(tree, read_req(op::get_data, "/secret", false), 1, as_reader, out, reg);
  CHECK(parse(out).header.err == 0);

  // getACL: READ is enough, but without ADMIN the digests come back masked.
  out.clear();
  store::execute_read(tree, read_req(op::get_acl, "/secret", false), 1, as_reader, out, reg);
  auto masked = parse(out);
  REQUIRE(masked.header.err == 0);
  CHECK(masked.body.find("alice:x") != std::string::npos);
  CHECK(masked.body.find("aGFzaA==") == std::string::npos);
  out.clear();
  store::execute_read(tree, read_req(op::get_acl, "/secret", false), 1, as_owner, out, reg);
  CHECK(parse(out).body.find("alice:aGFzaA==") != std::string::npos);
  out.clear();
  store::execute_read(tree, read_req(op::get_acl, "/secret", false), 1, nobody, out, reg);
  CHECK(parse(out).header.err == static_cast<int32_t>(jute::error_code::no_auth));
}

TEST_CASE("multiRead answers each op on its own, failures as ErrorResults") {
  auto tree = tree_with_session(1);
  tree.apply(create_txn("/m", "top"));
  tree.apply(create_txn("/m/a", "alpha"));
  jute::request r;
  r.header = {9, op::multi_read};
  jute::multi_read_request m;
  m.ops.push_back({op::get_data, {"/m/a", false}});
  m.ops.push_back({op::get_data, {"/missing", false}});
  m.ops.push_back({op::get_children, {"/m", true}});
  r.body = m;
  CHECK(store::classify(op::multi_read) == request_class::read);
  std::string out;
  store::watch_registration reg;
  store::execute_read(tree, r, 1, {}, out, reg);
  CHECK(reg.kind == watch_kind::none); // multiRead registers no watch
  auto reply = parse(out);
  CHECK(reply.header.err == 0);
  jute::reader rd{std::string_view(reply.body)};
  // getData: MultiHeader{4, false, 0}, data, stat
  CHECK(rd.read_int() == op::get_data);
  CHECK_FALSE(rd.read_bool());
  CHECK(rd.read_int() == 0);
  CHECK(rd.read_buffer() == "alpha");
  for (int i = 0; i < 11;
       ++i) // the Stat: czxid mzxid ctime mtime, 3 versions, owner, 2 ints, pzxid
    (i == 0 || i == 1 || i == 2 || i == 3 || i == 7 || i == 10) ? (void)rd.read_long()
                                                                : (void)rd.read_int();
  // the failed op: MultiHeader{-1, false, NoNode}, ErrorResponse{NoNode}
  CHECK(rd.read_int() == op::error);
  CHECK_FALSE(rd.read_bool());
  CHECK(rd.read_int() == static_cast<int32_t>(jute::error_code::no_node));
  CHECK(rd.read_int() == static_cast<int32_t>(jute::error_code::no_node));
  // getChildren: MultiHeader{8, false, 0}, ["a"]
  CHECK(rd.read_int() == op::get_children);
  CHECK_FALSE(rd.read_bool());
  CHECK(rd.read_int() == 0);
  CHECK(rd.read_int() == 1);
  CHECK(rd.read_string() == "a");
  // the end: MultiHeader{-1, true, -1}
  CHECK(rd.read_int() == -1);
  CHECK(rd.read_bool());
  CHECK(rd.read_int() == -1);
  CHECK(rd.ok());
  CHECK(rd.at_end());
}

TEST_CASE("getAllChildrenNumber counts every descendant, not the node itself") {
  auto tree = tree_with_session(1);
  for (auto p : {"/n", "/n/a", "/n/a/b", "/n/c", "/nx"})
    tree.apply(create_txn(p, ""));
  auto number = [&](const std::string& path) {
    jute::request r;
    r.header = {3, op::get_all_children_number};
    r.body = jute::path_request{path};
    std::string out;
    store::watch_registration reg;
    store::execute_read(tree, r, 1, {}, out, reg);
    auto reply = parse(out);
    if (reply.header.err != 0) return std::pair<int32_t, int32_t>{reply.header.err, -1};
    jute::reader rd{std::string_view(reply.body)};
    return std::pair<int32_t, int32_t>{0, rd.read_int()};
  };
  CHECK(store::classify(op::get_all_children_number) == request_class::read);
  CHECK(number("/n") == std::pair<int32_t, int32_t>{0, 3});
  CHECK(number("/n/a/b") == std::pair<int32_t, int32_t>{0, 0});
  // The root: every znode but itself (/zookeeper, /zookeeper/quota, /zookeeper/config too).
  CHECK(number("/") == std::pair<int32_t, int32_t>{0, 8});
  CHECK(number("/none").first == static_cast<int32_t>(jute::error_code::no_node));
}

TEST_CASE("setWatches2 re-registers persistent watches without firing them") {
  store::data_tree tree;
  jute::set_watches_request r;
  r.relative_zxid = 0;
  r.persistent_watches = {"/gone"};
  r.persistent_recursive_watches = {"/"};
  r.data_watches = {"/gone"};
  auto outcome = store::evaluate_set_watches(tree, r);
  REQUIRE(outcome.fire_now.size() == 1); // the one-shot data watch on a missing node
  CHECK(outcome.fire_now[0].type == jute::event_type::node_deleted);
  REQUIRE(outcome.register_now.size() == 2);
  CHECK(outcome.register_now[0].kind == store::watch_kind::persistent);
  CHECK(outcome.register_now[0].path == "/gone");
  CHECK(outcome.register_now[1].kind == store::watch_kind::persistent_recursive);
}
