// Null data is not empty data. A client may send a znode's data as a jute buffer of length
// -1 (Java's null byte[], kazoo's None); ZooKeeper 3.8 stores that null, keeps it through its
// log and snapshots, and answers getData with -1 again, while an empty buffer stays empty
// (length 0). Stat.dataLength is 0 for both. Each layer is checked here: the jute codec, the
// data tree, the getData / multiRead replies, the txn codec, snapshots and log recovery.
#include "protocol/jute/codec.hpp"
#include "protocol/jute/jute_reader.hpp"
#include "protocol/jute/opcodes.hpp"
#include "protocol/proto/snapshot.pb.h"
#include "protocol/proto/txn.pb.h"
#include "scratch_dir.hpp"
#include "store/disk/log_format.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/snapshot.hpp"
#include "store/disk/txn_codec.hpp"
#include "store/disk/txn_log_writer.hpp"
#include "store/requests/request_processor.hpp"
#include "store/tree/data_tree.hpp"
#include "tools/common/reply_bodies.hpp"

#include <catch2/catch.hpp>

using namespace paddock;
using paddock::testing::scratch_dir;
namespace op = jute::opcode;

namespace {

store::posix_file_system disk;

constexpr int64_t session = 0x0100000000000001;

std::span<const char> span_of(const std::string& s) {
  return {s.data(), s.size()};
}

jute::create_request create_req(std::string path, std::string data, bool is_null) {
  jute::create_request c{std::move(path), std::move(data), jute::open_acl_unsafe(), 0, -1};
  c.data_is_null = is_null;
  return c;
}

jute::set_data_request set_req(std::string path, std::string data, bool is_null) {
  jute::set_data_request s{std::move(path), std::move(data), -1};
  s.data_is_null = is_null;
  return s;
}

// A request frame's body (no length prefix), and the request decoded back from it.
std::string body_of(const jute::request& r) {
  std::string out;
  jute::encode_request_frame(out, r);
  return out.substr(4);
}

jute::request round_trip(const jute::request& r) {
  jute::request back;
  REQUIRE(jute::decode_request(span_of(body_of(r)), back) == jute::decode_status::ok);
  return back;
}

// The length field of the data buffer: right after the header (8 bytes) and the path.
int32_t data_length_field(const std::string& body, size_t path_size) {
  jute::reader r{std::string_view(body).substr(8 + 4 + path_size)};
  return r.read_int();
}

// A tree with a session, and txns with consecutive zxids (kept, for the log tests).
struct history {
  store::data_tree tree;
  std::vector<store::txn> txns;
  int64_t zxid = 0;

  history() {
    store::txn t;
    t.type = op::create_session;
    t.session_id = session;
    t.session_timeout_ms = 30000;
    add(std::move(t));
  }
  store::apply_result add(store::txn t) {
    t.zxid = ++zxid;
    t.time_ms = 1000 + zxid;
    auto r = tree.apply(t);
    txns.push_back(std::move(t));
    return r;
  }
  store::apply_result single(store::txn_op o) {
    store::txn t;
    t.type = o.type;
    t.session_id = session;
    t.ops.push_back(std::move(o));
    return add(std::move(t));
  }
  store::apply_result create(const std::string& path, const std::string& data, bool is_null) {
    return single({op::create2, create_req(path, data, is_null)});
  }
  store::apply_result set(const std::string& path, const std::string& data, bool is_null) {
    return single({op::set_data, set_req(path, data, is_null)});
  }
  store::apply_result multi(std::vector<store::txn_op> ops) {
    store::txn t;
    t.type = op::multi;
    t.session_id = session;
    t.ops = std::move(ops);
    return add(std::move(t));
  }
};

// Every kind of data a znode can end up with: null and empty by create and by setData, inside
// and outside a multi, and data set back over null.
history sample() {
  history h;
  h.create("/null", "", true);
  h.create("/empty", "", false);
  h.create("/full", "abc", false);
  h.create("/set-null", "was here", false);
  h.set("/set-null", "", true);
  h.create("/set-empty", "", true);
  h.set("/set-empty", "", false);
  h.create("/set-back", "", true);
  h.set("/set-back", "back", false);
  h.multi({{op::create, create_req("/multi-null", "", true)},
           {op::create, create_req("/multi-empty", "", false)},
           {op::set_data, set_req("/full", "", true)}});
  return h;
}

struct data_read {
  bool ok = false;
  std::string data;
  bool is_null = false;
  int32_t data_length = -2;
};

data_read read(const store::data_tree& tree, const std::string& path) {
  data_read r;
  jute::stat st;
  r.ok = tree.get_data(path, r.data, st, &r.is_null) == jute::error_code::ok;
  r.data_length = st.data_length;
  return r;
}

// What sample() leaves: path → (null?, data).
void check_sample(const store::data_tree& tree) {
  struct expected {
    const char* path;
    bool is_null;
    const char* data;
  };
  for (const auto& e :
       {expected{"/null", true, ""}, expected{"/empty", false, ""}, expected{"/full", true, ""},
        expected{"/set-null", true, ""}, expected{"/set-empty", false, ""},
        expected{"/set-back", false, "back"}, expected{"/multi-null", true, ""},
        expected{"/multi-empty", false, ""}, expected{"/zookeeper", false, ""}}) {
    INFO(e.path);
    auto r = read(tree, e.path);
    REQUIRE(r.ok);
    CHECK(r.is_null == e.is_null);
    CHECK(r.data == e.data);
    CHECK(r.data_length == static_cast<int32_t>(std::string_view(e.data).size()));
  }
}

// The getData reply of `path`: the data buffer's length field and the Stat's dataLength.
std::pair<int32_t, int32_t> get_data_reply(const store::data_tree& tree, const std::string& path) {
  jute::request req;
  req.header = {7, op::get_data};
  req.body = jute::path_watch_request{path, false};
  std::string out;
  store::watch_registration reg;
  store::execute_read(tree, req, session, {}, out, reg);
  jute::reader r{std::string_view(out).substr(4)};
  r.read_int();  // xid
  r.read_long(); // zxid
  REQUIRE(r.read_int() == 0);
  bool is_null = false;
  const auto data = r.read_buffer(&is_null);
  const int32_t length = is_null ? -1 : static_cast<int32_t>(data.size());
  jute::stat st;
  jute::read_stat(r, st);
  REQUIRE(r.ok());
  return {length, st.data_length};
}

} // namespace

TEST_CASE("null and empty data stay apart in create and setData requests", "[null_data]") {
  jute::request null_create{{1, op::create}, create_req("/a", "", true)};
  jute::request empty_create{{2, op::create}, create_req("/a", "", false)};
  CHECK(data_length_field(body_of(null_create), 2) == -1);
  CHECK(data_length_field(body_of(empty_create), 2) == 0);
  CHECK(std::get<jute::create_request>(round_trip(null_create).body).data_is_null);
  CHECK_FALSE(std::get<jute::create_request>(round_trip(empty_create).body).data_is_null);

  jute::request ttl{{3, op::create_ttl}, create_req("/t", "", true)};
  std::get<jute::create_request>(ttl.body).flags = 5;
  std::get<jute::create_request>(ttl.body).ttl = 1000;
  CHECK(std::get<jute::create_request>(round_trip(ttl).body).data_is_null);

  jute::request null_set{{4, op::set_data}, set_req("/a", "", true)};
  jute::request empty_set{{5, op::set_data}, set_req("/a", "", false)};
  CHECK(data_length_field(body_of(null_set), 2) == -1);
  CHECK(data_length_field(body_of(empty_set), 2) == 0);
  CHECK(std::get<jute::set_data_request>(round_trip(null_set).body).data_is_null);
  CHECK_FALSE(std::get<jute::set_data_request>(round_trip(empty_set).body).data_is_null);
}

TEST_CASE("null data stays null inside a multi request", "[null_data]") {
  jute::multi_request m;
  m.ops.push_back({op::create, create_req("/n", "", true)});
  m.ops.push_back({op::create, create_req("/e", "", false)});
  m.ops.push_back({op::set_data, set_req("/n", "", true)});
  m.ops.push_back({op::set_data, set_req("/e", "", false)});
  auto back = std::get<jute::multi_request>(round_trip({{1, op::multi}, m}).body);
  REQUIRE(back.ops.size() == 4);
  CHECK(std::get<jute::create_request>(back.ops[0].body).data_is_null);
  CHECK_FALSE(std::get<jute::create_request>(back.ops[1].body).data_is_null);
  CHECK(std::get<jute::set_data_request>(back.ops[2].body).data_is_null);
  CHECK_FALSE(std::get<jute::set_data_request>(back.ops[3].body).data_is_null);
}

TEST_CASE("the tree stores null apart from empty: dataLength is 0 for both", "[null_data]") {
  auto h = sample();
  check_sample(h.tree);
  // Null counts as no bytes, like empty, in ZooKeeper's approximate data size.
  history same_but_empty;
  same_but_empty.create("/null", "", false);
  history with_null;
  with_null.create("/null", "", true);
  CHECK(with_null.tree.approximate_data_size() == same_but_empty.tree.approximate_data_size());
  // A create2 / setData result's Stat reports 0 bytes for null data.
  CHECK(h.create("/another-null", "", true).results.at(0).stat.data_length == 0);
  CHECK(h.set("/full", "", true).results.at(0).stat.data_length == 0);
}

TEST_CASE("getData answers null data with a -1 length, empty with 0", "[null_data]") {
  auto h = sample();
  CHECK(get_data_reply(h.tree, "/null") == std::pair{-1, 0});
  CHECK(get_data_reply(h.tree, "/empty") == std::pair{0, 0});
  CHECK(get_data_reply(h.tree, "/multi-null") == std::pair{-1, 0});
  CHECK(get_data_reply(h.tree, "/set-back") == std::pair{4, 4});
}

TEST_CASE("the tools' getData decoder tells null from empty", "[null_data]") {
  auto h = sample();
  for (const auto& [path, is_null] : {std::pair{"/null", true}, std::pair{"/empty", false}}) {
    jute::request req;
    req.header = {7, op::get_data};
    req.body = jute::path_watch_request{path, false};
    std::string out;
    store::watch_registration reg;
    store::execute_read(h.tree, req, session, {}, out, reg);
    auto reply = tools::decode_get_data(std::string_view(out).substr(4 + 16));
    REQUIRE(reply);
    CHECK(reply->data_is_null == is_null);
    CHECK(reply->data.empty());
  }
}

TEST_CASE("multiRead's getData answers null data with a -1 length", "[null_data]") {
  auto h = sample();
  jute::request req;
  req.header = {9, op::multi_read};
  jute::multi_read_request m;
  m.ops.push_back({op::get_data, {"/null", false}});
  m.ops.push_back({op::get_data, {"/empty", false}});
  req.body = m;
  std::string out;
  store::watch_registration reg;
  store::execute_read(h.tree, req, session, {}, out, reg);
  jute::reader r{std::string_view(out).substr(4 + 16)};
  for (int32_t expected_length : {-1, 0}) {
    CHECK(r.read_int() == op::get_data);
    CHECK_FALSE(r.read_bool());
    CHECK(r.read_int() == 0);
    CHECK(r.read_int() == expected_length);
    jute::stat st;
    jute::read_stat(r, st);
    CHECK(st.data_length == 0);
  }
  CHECK(r.read_int() == -1); // the end marker
  CHECK(r.ok());
}

TEST_CASE("txns keep null data through the Protobuf codec", "[null_data]") {
  auto h = sample();
  std::string bytes;
  history replayed_history; // its own createSession; the rest replayed from decoded txns
  for (size_t i = 1; i < h.txns.size(); ++i) {
    store::encode_txn(h.txns[i], bytes);
    store::txn back;
    REQUIRE(store::decode_txn(bytes, back));
    replayed_history.tree.apply(back);
  }
  check_sample(replayed_history.tree);
}

TEST_CASE("a txn written before null data existed reads as non-null data", "[null_data]") {
  // The log's old records are these bytes: no data_is_null field. The proto3 default (false)
  // must give what they always meant, and a non-null txn must still encode to exactly them.
  proto::Txn old;
  old.set_zxid(7);
  old.set_type(op::create);
  old.set_session_id(session);
  auto* o = old.add_ops();
  o->set_type(op::create);
  auto* c = o->mutable_create();
  c->set_path("/old");
  c->set_data("");
  auto* acl = c->add_acl();
  acl->set_perms(31);
  acl->mutable_id()->set_scheme("world");
  acl->mutable_id()->set_ident("anyone");
  c->set_ttl(-1);
  std::string old_bytes;
  REQUIRE(old.SerializeToString(&old_bytes));

  store::txn t;
  REQUIRE(store::decode_txn(old_bytes, t));
  CHECK_FALSE(std::get<jute::create_request>(t.ops.at(0).body).data_is_null);
  std::string again;
  store::encode_txn(t, again);
  CHECK(again == old_bytes);
}

TEST_CASE("snapshots keep null data apart from empty data", "[null_data]") {
  scratch_dir d;
  auto h = sample();
  REQUIRE(store::write_snapshot(disk, h.tree, d.path()).ok());
  store::data_tree loaded;
  REQUIRE(
      store::load_snapshot(disk, store::list_snapshots(disk, d.path()).at(0).path, loaded).ok());
  check_sample(loaded);

  // What a leader sends a learner it syncs by SNAP.
  std::string bytes;
  REQUIRE(store::serialize_snapshot(h.tree, bytes).ok());
  store::data_tree parsed;
  REQUIRE(store::parse_snapshot(bytes, "from the leader", parsed).ok());
  check_sample(parsed);
}

TEST_CASE("a snapshot node written before null data existed loads as non-null", "[null_data]") {
  // Old snapshot records carry no data_is_null field; the default must mean "not null".
  proto::SnapshotNode old;
  old.set_path("/old");
  old.set_data("");
  std::string bytes;
  REQUIRE(old.SerializeToString(&bytes));
  proto::SnapshotNode back;
  REQUIRE(back.ParseFromString(bytes));
  CHECK_FALSE(back.data_is_null());
}

TEST_CASE("recovery from the log alone keeps null data", "[null_data]") {
  scratch_dir d;
  auto h = sample();
  {
    store::txn_log_writer w(disk, d.path(), 0, false);
    REQUIRE(w.start_segment(h.txns.front().zxid).ok());
    std::string records, body;
    for (const auto& t : h.txns) {
      store::encode_txn(t, body);
      store::log_format::append_record(records, t.zxid, body);
    }
    REQUIRE(w.write(records).ok());
  }
  auto r = store::recover(disk, d.path(), d.path());
  REQUIRE(r.status.ok());
  CHECK(r.replayed == h.txns.size());
  check_sample(r.tree);
}
