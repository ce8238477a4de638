#include "store/requests/request_processor.hpp"

#include "protocol/jute/codec.hpp"
#include "protocol/jute/jute_writer.hpp"
#include "protocol/jute/opcodes.hpp"
#include "store/tree/who_am_i.hpp"
#include "store/watches/watch_requests.hpp"

#include <utility>

namespace paddock::store {

namespace op = jute::opcode;

request_class classify(int32_t opcode) {
  switch (opcode) {
  case op::exists:
  case op::get_data:
  case op::get_children:
  case op::get_children2:
  case op::get_acl:
  case op::get_ephemerals:
  case op::who_am_i:
  // The watch requests pass the store like reads, so they are ordered with the session's
  // reads and with the commit notices (see store/watch_requests.hpp).
  case op::add_watch:
  case op::check_watches:
  case op::remove_watches:
  case op::get_all_children_number:
  case op::multi_read: return request_class::read;
  case op::multi:
  // reconfig: a write the leader decides on (the session answers ReconfigDisabled and, on a
  // standalone server, Unimplemented itself).
  case op::reconfig: return request_class::write;
  // deleteContainer is the sweeper's txn; from a client it would delete any container or TTL
  // znode without an ACL or session check (ZooKeeper's prep does neither), so it is refused.
  case op::delete_container: return request_class::unsupported;
  case op::sync: return request_class::sync;
  case op::set_watches:
  case op::set_watches2: return request_class::set_watches;
  case op::ping: return request_class::ping;
  case op::auth: return request_class::auth;
  case op::close_session: return request_class::close_session;
  default: return is_single_write(opcode) ? request_class::write : request_class::unsupported;
  }
}

namespace {

txn_op make_op(int32_t type, jute::request_body&& body) {
  txn_op out;
  out.type = type;
  std::visit(
      [&](auto&& b) {
        using t = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<t, jute::create_request> ||
                      std::is_same_v<t, jute::delete_request> ||
                      std::is_same_v<t, jute::set_data_request> ||
                      std::is_same_v<t, jute::set_acl_request> ||
                      std::is_same_v<t, jute::check_version_request>)
          out.body = std::move(b);
      },
      std::move(body));
  return out;
}

// Reply header then, when the request succeeded, the body `write_body` appends.
template <class Body>
void reply_frame(std::string& out, int32_t xid, int64_t zxid, jute::error_code err,
                 Body&& write_body) {
  jute::writer w{out};
  auto start = w.begin_frame();
  jute::encode(out, jute::reply_header{xid, zxid, static_cast<int32_t>(err)});
  if (err == jute::error_code::ok) write_body(w);
  w.end_frame(start);
}

void no_body(jute::writer&) {}

void write_children(jute::writer& w, const std::vector<std::string>& children) {
  w.write_int(static_cast<int32_t>(children.size()));
  for (const auto& c : children)
    w.write_string(c);
}

bool has_nul(const std::string& s) {
  return s.find('\0') != std::string::npos;
}

// multiRead's MultiResponse: per op a MultiHeader{type, done=false, err} and a
// GetDataResponse / GetChildrenResponse, or {-1, false, err} + ErrorResponse{err} for an op
// that failed; then {-1, true, -1}. Each op stands alone (no rollback: nothing to roll back);
// the ReplyHeader says ok. ZooKeeper's client never asks multiRead for watches and none are
// registered here.
void encode_multi_read(const data_tree& tree, const jute::multi_read_request& m, int32_t xid,
                       int64_t zxid, std::span<const jute::id> auth, std::string& out) {
  jute::writer w{out};
  auto start = w.begin_frame();
  jute::encode(out, jute::reply_header{xid, zxid, 0});
  auto header = [&](int32_t type, bool done, int32_t err) {
    w.write_int(type);
    w.write_bool(done);
    w.write_int(err);
  };
  std::string data;
  bool data_is_null = false;
  std::vector<std::string> children;
  jute::stat st;
  for (const auto& o : m.ops) {
    auto err = tree.check_access(o.body.path, jute::perms::read, auth);
    if (err == jute::error_code::ok)
      err = o.type == op::get_data ? tree.get_data(o.body.path, data, st, &data_is_null)
                                   : tree.get_children(o.body.path, children, nullptr);
    if (err != jute::error_code::ok) {
      header(op::error, false, static_cast<int32_t>(err));
      w.write_int(static_cast<int32_t>(err));
    } else if (o.type == op::get_data) {
      header(op::get_data, false, 0);
      w.write_buffer(data, data_is_null);
      jute::encode(out, st);
    } else {
      header(op::get_children, false, 0);
      write_children(w, children);
    }
  }
  header(-1, true, -1);
  w.end_frame(start);
}

} // namespace

txn make_txn(jute::request&& request, int64_t session_id) {
  txn t;
  t.session_id = session_id;
  t.type = request.header.type;
  if (auto* m = std::get_if<jute::multi_request>(&request.body)) {
    t.ops.reserve(m->ops.size());
    for (auto& o : m->ops) {
      txn_op x;
      x.type = o.type;
      std::visit([&](auto&& b) { x.body = std::move(b); }, std::move(o.body));
      t.ops.push_back(std::move(x));
    }
  } else if (auto* r = std::get_if<jute::reconfig_request>(&request.body)) {
    t.reconfig = std::move(*r); // the leader turns it into ops, or refuses it
  } else if (t.type != op::close_session) {
    t.ops.push_back(make_op(t.type, std::move(request.body)));
  }
  return t;
}

void execute_read(const data_tree& tree, const jute::request& request, int64_t session_id,
                  std::span<const jute::id> auth, std::string& out, watch_registration& reg) {
  const int32_t xid = request.header.xid;
  const int64_t zxid = tree.last_zxid();
  reg = {};
  switch (request.header.type) {
  case op::exists: {
    const auto& r = std::get<jute::path_watch_request>(request.body);
    if (has_nul(r.path)) {
      reply_frame(out, xid, zxid, jute::error_code::bad_arguments, no_body);
      return;
    }
    jute::stat st;
    auto err = tree.exists(r.path, st);
    // ZooKeeper registers an exists watch whether or not the node is there: it is how a
    // client waits for a node to be created.
    if (r.watch) reg = {watch_kind::data, r.path};
    reply_frame(out, xid, zxid, err, [&](jute::writer&) { jute::encode(out, st); });
    return;
  }
  case op::get_data: {
    const auto& r = std::get<jute::path_watch_request>(request.body);
    std::string data;
    bool data_is_null = false;
    jute::stat st;
    auto err = tree.check_access(r.path, jute::perms::read, auth);
    if (err == jute::error_code::ok) err = tree.get_data(r.path, data, st, &data_is_null);
    if (r.watch && err == jute::error_code::ok) reg = {watch_kind::data, r.path};
    reply_frame(out, xid, zxid, err, [&](jute::writer& w) {
      w.write_buffer(data, data_is_null);
      jute::encode(out, st);
    });
    return;
  }
  case op::get_children:
  case op::get_children2: {
    const auto& r = std::get<jute::path_watch_request>(request.body);
    std::vector<std::string> children;
    jute::stat st;
    auto err = tree.check_access(r.path, jute::perms::read, auth);
    if (err == jute::error_code::ok) err = tree.get_children(r.path, children, &st);
    if (r.watch && err == jute::error_code::ok) reg = {watch_kind::child, r.path};
    const bool with_stat = request.header.type == op::get_children2;
    reply_frame(out, xid, zxid, err, [&](jute::writer& w) {
      write_children(w, children);
      if (with_stat) jute::encode(out, st);
    });
    return;
  }
  case op::get_acl: {
    const auto& r = std::get<jute::path_request>(request.body);
    jute::acl_list acls;
    jute::stat st;
    auto err = tree.check_access(r.path, jute::perms::read | jute::perms::admin, auth);
    if (err == jute::error_code::ok) err = tree.get_acl(r.path, acls, st);
    // Without ADMIN, digest ids come back as "user:x", as ZooKeeper masks them.
    if (err == jute::error_code::ok &&
        tree.check_access(r.path, jute::perms::admin, auth) != jute::error_code::ok)
      for (auto& a : acls)
        if (auto colon = a.id.ident.find(':');
            a.id.scheme == "digest" && colon != std::string::npos)
          a.id.ident = a.id.ident.substr(0, colon) + ":x";
    reply_frame(out, xid, zxid, err, [&](jute::writer&) {
      jute::encode(out, acls);
      jute::encode(out, st);
    });
    return;
  }
  case op::get_ephemerals: {
    const auto& r = std::get<jute::path_request>(request.body);
    auto all = tree.ephemerals_of(session_id);
    std::vector<std::string> matching;
    const bool everything = r.path.empty() || r.path == "/";
    for (auto& p : all)
      if (everything || p.rfind(r.path, 0) == 0) matching.push_back(std::move(p));
    reply_frame(out, xid, zxid, jute::error_code::ok,
                [&](jute::writer& w) { write_children(w, matching); });
    return;
  }
  case op::add_watch:
    execute_add_watch(std::get<jute::add_watch_request>(request.body), xid, zxid, out, reg);
    return;
  case op::who_am_i: {
    // A session-local read: WhoAmIResponse{vector<ClientInfo{authScheme, user}>}.
    auto infos = who_am_i(auth);
    reply_frame(out, xid, zxid, jute::error_code::ok, [&](jute::writer& w) {
      w.write_int(static_cast<int32_t>(infos.size()));
      for (const auto& i : infos) {
        w.write_string(i.auth_scheme);
        w.write_string(i.user);
      }
    });
    return;
  }
  case op::get_all_children_number: {
    // FinalRequestProcessor: NoNode first, then READ on the node itself.
    const auto& r = std::get<jute::path_request>(request.body);
    int32_t count = 0;
    auto err = tree.all_children_number(r.path, count);
    if (err == jute::error_code::ok) err = tree.check_access(r.path, jute::perms::read, auth);
    reply_frame(out, xid, zxid, err, [&](jute::writer& w) { w.write_int(count); });
    return;
  }
  case op::multi_read:
    encode_multi_read(tree, std::get<jute::multi_read_request>(request.body), xid, zxid, auth, out);
    return;
  default: reply_frame(out, xid, zxid, jute::error_code::unimplemented, no_body); return;
  }
}

void encode_write_reply(std::string& out, int32_t xid, int32_t opcode, const apply_result& result,
                        int64_t zxid) {
  if (opcode == op::multi) {
    std::vector<jute::multi_result_entry> entries;
    entries.reserve(result.results.size());
    for (const auto& r : result.results)
      entries.push_back({r.type, static_cast<int32_t>(r.err), r.path, r.stat});
    jute::writer w{out};
    auto start = w.begin_frame();
    jute::encode(out, jute::reply_header{xid, zxid, static_cast<int32_t>(result.err)});
    jute::encode_multi_response(out, entries);
    w.end_frame(start);
    return;
  }
  const op_result* r = result.results.empty() ? nullptr : &result.results.front();
  reply_frame(out, xid, zxid, result.err, [&](jute::writer& w) {
    if (!r) return;
    switch (opcode) {
    case op::create: w.write_string(r->path); break;
    case op::create2:
    case op::create_container:
    case op::create_ttl:
      w.write_string(r->path);
      jute::encode(out, r->stat);
      break;
    case op::set_data:
    case op::set_acl:
    case op::check: jute::encode(out, r->stat); break;
    case op::reconfig: // GetDataResponse of /zookeeper/config, as FinalRequestProcessor
      w.write_buffer(r->data);
      jute::encode(out, r->stat);
      break;
    default: // delete, closeSession: the header says it all
      break;
    }
  });
}

void encode_sync_reply(std::string& out, int32_t xid, int64_t zxid, const std::string& path) {
  reply_frame(out, xid, zxid, jute::error_code::ok, [&](jute::writer& w) { w.write_string(path); });
}

set_watches_outcome evaluate_set_watches(const data_tree& tree,
                                         const jute::set_watches_request& request) {
  using jute::event_type;
  set_watches_outcome out;
  auto fire = [&](event_type type, const std::string& path) {
    out.fire_now.push_back({type, jute::keeper_state::sync_connected, path});
  };
  const int64_t rel = request.relative_zxid;
  int64_t mzxid = 0;
  int64_t pzxid = 0;
  for (const auto& p : request.data_watches) {
    if (!tree.zxids(p, mzxid, pzxid))
      fire(event_type::node_deleted, p);
    else if (mzxid > rel)
      fire(event_type::node_data_changed, p);
    else
      out.register_now.push_back({watch_kind::data, p});
  }
  for (const auto& p : request.exist_watches) {
    if (tree.zxids(p, mzxid, pzxid))
      fire(event_type::node_created, p);
    else
      out.register_now.push_back({watch_kind::data, p});
  }
  for (const auto& p : request.child_watches) {
    if (!tree.zxids(p, mzxid, pzxid))
      fire(event_type::node_deleted, p);
    else if (pzxid > rel)
      fire(event_type::node_children_changed, p);
    else
      out.register_now.push_back({watch_kind::child, p});
  }
  for (const auto& p : request.persistent_watches)
    out.register_now.push_back({watch_kind::persistent, p});
  for (const auto& p : request.persistent_recursive_watches)
    out.register_now.push_back({watch_kind::persistent_recursive, p});
  return out;
}

} // namespace paddock::store
