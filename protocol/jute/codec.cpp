#include "protocol/jute/codec.hpp"

#include "protocol/jute/jute_reader.hpp"
#include "protocol/jute/jute_writer.hpp"
#include "protocol/jute/opcodes.hpp"

namespace paddock::jute {

acl_list read_acl_list(reader& r) {
  constexpr size_t min_acl_bytes = 4 + 4 + 4; // perms, scheme, id
  const int32_t n = r.read_count(min_acl_bytes);
  acl_list acls;
  acls.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    acl a;
    a.perms = r.read_int();
    a.id.scheme = r.read_string();
    a.id.ident = r.read_string();
    acls.push_back(std::move(a));
  }
  return acls;
}

void write_acl_list(writer& w, const acl_list& acls) {
  w.write_int(static_cast<int32_t>(acls.size()));
  for (const auto& a : acls) {
    w.write_int(a.perms);
    w.write_string(a.id.scheme);
    w.write_string(a.id.ident);
  }
}

void read_stat(reader& r, stat& s) {
  s.czxid = r.read_long();
  s.mzxid = r.read_long();
  s.ctime = r.read_long();
  s.mtime = r.read_long();
  s.version = r.read_int();
  s.cversion = r.read_int();
  s.aversion = r.read_int();
  s.ephemeral_owner = r.read_long();
  s.data_length = r.read_int();
  s.num_children = r.read_int();
  s.pzxid = r.read_long();
}

namespace {

// Smallest encodings, used to bound element counts by the bytes left in the frame.
constexpr size_t min_string_size = 4;
constexpr size_t multi_header_size = 4 + 1 + 4;

void read(reader& r, acl_list& acls) {
  acls = read_acl_list(r);
}

std::optional<std::string> read_nullable_string(reader& r) {
  bool was_null = false;
  std::string s = r.read_buffer(&was_null);
  if (was_null) return std::nullopt;
  return s;
}

void read(reader& r, std::vector<std::string>& strings) {
  const int32_t n = r.read_count(min_string_size);
  strings.clear();
  strings.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && r.ok(); ++i)
    strings.push_back(r.read_string());
}

void read_create(reader& r, create_request& c, bool with_ttl) {
  c.path = r.read_string();
  c.data = r.read_buffer(&c.data_is_null);
  read(r, c.acls);
  c.flags = r.read_int();
  c.ttl = with_ttl ? r.read_long() : -1;
}

void write_strings(writer& w, const std::vector<std::string>& strings) {
  w.write_int(static_cast<int32_t>(strings.size()));
  for (const auto& s : strings)
    w.write_string(s);
}

bool is_create(int32_t type) {
  return type == opcode::create || type == opcode::create2 || type == opcode::create_ttl ||
         type == opcode::create_container;
}

// One op of a multi, after its MultiHeader. False for an op type a multi cannot carry.
bool read_multi_op(reader& r, int32_t type, multi_op& op) {
  op.type = type;
  if (is_create(type)) {
    create_request c;
    read_create(r, c, type == opcode::create_ttl);
    op.body = std::move(c);
  } else if (type == opcode::remove || type == opcode::delete_container) {
    delete_request d;
    d.path = r.read_string();
    d.version = r.read_int();
    op.body = std::move(d);
  } else if (type == opcode::set_data) {
    set_data_request s;
    s.path = r.read_string();
    s.data = r.read_buffer(&s.data_is_null);
    s.version = r.read_int();
    op.body = std::move(s);
  } else if (type == opcode::check) {
    check_version_request c;
    c.path = r.read_string();
    c.version = r.read_int();
    op.body = std::move(c);
  } else {
    return false;
  }
  return true;
}

// The MultiHeader stream of multi and multiRead: {type, done, err} before each op, up to
// one with done set. `read_op(type)` reads one op's body; false means the type is not
// allowed there (malformed). A body cut short is truncated.
template <class ReadOp> decode_status read_multi_ops(reader& r, ReadOp&& read_op) {
  for (;;) {
    if (r.remaining() < multi_header_size) return decode_status::truncated;
    const int32_t op_type = r.read_int();
    const bool done = r.read_bool();
    r.read_int(); // err, always -1 in requests
    if (done) return decode_status::ok;
    if (!read_op(op_type)) return decode_status::malformed;
    if (!r.ok()) return decode_status::truncated;
  }
}

decode_status finish(const reader& r) {
  return r.ok() ? decode_status::ok : decode_status::truncated;
}

} // namespace

std::string_view decode_status_name(decode_status s) {
  switch (s) {
  case decode_status::ok: return "ok";
  case decode_status::truncated: return "truncated";
  case decode_status::unknown_opcode: return "unknown opcode";
  case decode_status::malformed: return "malformed";
  case decode_status::short_header: return "short header";
  }
  return "?";
}

request_action action_for(decode_status status, int32_t opcode) {
  switch (status) {
  case decode_status::ok: return request_action::serve;
  case decode_status::short_header: return request_action::close;
  case decode_status::unknown_opcode: return request_action::unimplemented_close;
  case decode_status::truncated:
  case decode_status::malformed: break;
  }
  if (opcode == opcode::auth || opcode == opcode::sasl) return request_action::close;
  return request_action::marshalling_error;
}

error_code unserved_answer(int32_t opcode) {
  switch (opcode) {
  case opcode::reconfig: return error_code::reconfig_disabled;
  case opcode::delete_container: return error_code::bad_arguments;
  case opcode::create_session:
  case opcode::undecodable: return error_code::marshalling_error;
  default: return error_code::unimplemented;
  }
}

decode_status decode_connect_request(std::span<const char> frame, connect_request& out) {
  reader r{frame};
  out.protocol_version = r.read_int();
  out.last_zxid_seen = r.read_long();
  out.timeout_ms = r.read_int();
  out.session_id = r.read_long();
  out.passwd = r.read_buffer();
  if (!r.ok()) return decode_status::truncated;
  // Clients before 3.4 end the record here; later ones add the readOnly byte.
  out.has_read_only = !r.at_end();
  out.read_only = out.has_read_only ? r.read_bool() : false;
  return finish(r);
}

decode_status decode_request(std::span<const char> frame, request& out) {
  reader r{frame};
  out.header.xid = r.read_int();
  out.header.type = r.read_int();
  if (!r.ok()) return decode_status::short_header;
  const int32_t type = out.header.type;
  switch (type) {
  case opcode::ping:
  case opcode::close_session:
  case opcode::who_am_i: out.body = empty_request{}; return decode_status::ok;
  case opcode::create:
  case opcode::create2:
  case opcode::create_container:
  case opcode::create_ttl:
  case opcode::remove: {
    // The same bodies as inside a multi: decoded once, in read_multi_op.
    multi_op op;
    read_multi_op(r, type, op);
    std::visit([&](auto&& b) { out.body = std::move(b); }, std::move(op.body));
    break;
  }
  case opcode::exists:
  case opcode::get_data:
  case opcode::get_children:
  case opcode::get_children2: {
    path_watch_request p;
    p.path = r.read_string();
    p.watch = r.read_bool();
    out.body = std::move(p);
    break;
  }
  case opcode::set_data:
  case opcode::check: {
    multi_op op;
    read_multi_op(r, type, op);
    std::visit([&](auto&& b) { out.body = std::move(b); }, std::move(op.body));
    break;
  }
  case opcode::get_acl:
  case opcode::sync:
  case opcode::get_ephemerals:
  case opcode::get_all_children_number: out.body = path_request{r.read_string()}; break;
  case opcode::set_acl: {
    set_acl_request s;
    s.path = r.read_string();
    read(r, s.acls);
    s.version = r.read_int();
    out.body = std::move(s);
    break;
  }
  case opcode::multi: {
    multi_request m;
    auto status = read_multi_ops(r, [&](int32_t op_type) {
      multi_op op;
      if (!read_multi_op(r, op_type, op)) return false;
      m.ops.push_back(std::move(op));
      return true;
    });
    if (status != decode_status::ok) return status;
    out.body = std::move(m);
    break;
  }
  case opcode::multi_read: {
    // As a multi, but each op a GetDataRequest or GetChildrenRequest (path, watch); any
    // other op type is malformed (ZooKeeper's MultiOperationRecord cannot read it).
    multi_read_request m;
    auto status = read_multi_ops(r, [&](int32_t op_type) {
      if (op_type != opcode::get_data && op_type != opcode::get_children) return false;
      multi_read_op op;
      op.type = op_type;
      op.body.path = r.read_string();
      op.body.watch = r.read_bool();
      m.ops.push_back(std::move(op));
      return true;
    });
    if (status != decode_status::ok) return status;
    out.body = std::move(m);
    break;
  }
  case opcode::set_watches:
  case opcode::set_watches2: {
    set_watches_request s;
    s.relative_zxid = r.read_long();
    read(r, s.data_watches);
    read(r, s.exist_watches);
    read(r, s.child_watches);
    if (type == opcode::set_watches2) {
      read(r, s.persistent_watches);
      read(r, s.persistent_recursive_watches);
    }
    out.body = std::move(s);
    break;
  }
  case opcode::auth: {
    auth_packet a;
    a.type = r.read_int();
    a.scheme = r.read_string();
    a.auth = r.read_buffer();
    out.body = std::move(a);
    break;
  }
  case opcode::check_watches:
  case opcode::remove_watches: {
    watch_request w;
    w.path = r.read_string();
    w.type = r.read_int();
    out.body = std::move(w);
    break;
  }
  case opcode::add_watch: {
    add_watch_request a;
    a.path = r.read_string();
    a.mode = r.read_int();
    out.body = std::move(a);
    break;
  }
  case opcode::sasl: {
    sasl_request s;
    s.token = r.read_buffer();
    out.body = std::move(s);
    break;
  }
  case opcode::reconfig: {
    // ReconfigRequest{joiningServers, leavingServers, newMembers, curConfigId}; a body
    // that does not parse is MarshallingError.
    reconfig_request c;
    c.joining_servers = read_nullable_string(r);
    c.leaving_servers = read_nullable_string(r);
    c.new_members = read_nullable_string(r);
    c.cur_config_id = r.read_long();
    out.body = std::move(c);
    break;
  }
  case opcode::delete_container:
    // Any body: ZooKeeper does not deserialize it (see unserved_answer).
    out.body = empty_request{};
    return decode_status::ok;
  case opcode::create_session:
    // Valid in Request.isValid, so not Unimplemented; a client's body is refused with
    // MarshallingError (ZooKeeper reads a CreateSessionTxn from it; Paddock does not let a
    // client create a session this way).
    out.body = empty_request{};
    return decode_status::malformed;
  default: out.body = empty_request{}; return decode_status::unknown_opcode;
  }
  return finish(r);
}

void encode(std::string& out, const stat& s) {
  writer w{out};
  w.write_long(s.czxid);
  w.write_long(s.mzxid);
  w.write_long(s.ctime);
  w.write_long(s.mtime);
  w.write_int(s.version);
  w.write_int(s.cversion);
  w.write_int(s.aversion);
  w.write_long(s.ephemeral_owner);
  w.write_int(s.data_length);
  w.write_int(s.num_children);
  w.write_long(s.pzxid);
}

void encode(std::string& out, const acl_list& acls) {
  writer w{out};
  write_acl_list(w, acls);
}

void encode(std::string& out, const reply_header& h) {
  writer w{out};
  w.write_int(h.xid);
  w.write_long(h.zxid);
  w.write_int(h.err);
}

void encode(std::string& out, const connect_request& r) {
  writer w{out};
  w.write_int(r.protocol_version);
  w.write_long(r.last_zxid_seen);
  w.write_int(r.timeout_ms);
  w.write_long(r.session_id);
  w.write_buffer(r.passwd);
  if (r.has_read_only) w.write_bool(r.read_only);
}

void encode(std::string& out, const request_header& h) {
  writer w{out};
  w.write_int(h.xid);
  w.write_int(h.type);
}

void encode(std::string& out, const create_request& r, int32_t opcode) {
  writer w{out};
  w.write_string(r.path);
  w.write_buffer(r.data, r.data_is_null);
  encode(out, r.acls);
  w.write_int(r.flags);
  if (opcode == opcode::create_ttl) w.write_long(r.ttl);
}

void encode(std::string& out, const delete_request& r) {
  writer w{out};
  w.write_string(r.path);
  w.write_int(r.version);
}

void encode(std::string& out, const path_watch_request& r) {
  writer w{out};
  w.write_string(r.path);
  w.write_bool(r.watch);
}

void encode(std::string& out, const set_data_request& r) {
  writer w{out};
  w.write_string(r.path);
  w.write_buffer(r.data, r.data_is_null);
  w.write_int(r.version);
}

void encode(std::string& out, const path_request& r) {
  writer{out}.write_string(r.path);
}

void encode(std::string& out, const set_acl_request& r) {
  writer w{out};
  w.write_string(r.path);
  encode(out, r.acls);
  w.write_int(r.version);
}

void encode(std::string& out, const check_version_request& r) {
  writer w{out};
  w.write_string(r.path);
  w.write_int(r.version);
}

void encode(std::string& out, const multi_request& r) {
  writer w{out};
  for (const auto& op : r.ops) {
    w.write_int(op.type);
    w.write_bool(false);
    w.write_int(-1);
    std::visit(
        [&](const auto& body) {
          using t = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<t, create_request>)
            encode(out, body, op.type);
          else
            encode(out, body);
        },
        op.body);
  }
  w.write_int(-1);
  w.write_bool(true);
  w.write_int(-1);
}

void encode(std::string& out, const set_watches_request& r, int32_t opcode) {
  writer w{out};
  w.write_long(r.relative_zxid);
  write_strings(w, r.data_watches);
  write_strings(w, r.exist_watches);
  write_strings(w, r.child_watches);
  if (opcode == opcode::set_watches2) {
    write_strings(w, r.persistent_watches);
    write_strings(w, r.persistent_recursive_watches);
  }
}

void encode_connect_response(std::string& out, const connect_response& r) {
  writer w{out};
  auto start = w.begin_frame();
  w.write_int(r.protocol_version);
  w.write_int(r.timeout_ms);
  w.write_long(r.session_id);
  w.write_buffer(r.passwd);
  if (r.has_read_only) w.write_bool(r.read_only);
  w.end_frame(start);
}

void encode_request_frame(std::string& out, const request& r) {
  writer w{out};
  auto start = w.begin_frame();
  encode(out, r.header);
  std::visit(
      [&](const auto& body) {
        using t = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<t, empty_request>) {
        } else if constexpr (std::is_same_v<t, create_request>) {
          encode(out, body, r.header.type);
        } else if constexpr (std::is_same_v<t, set_watches_request>) {
          encode(out, body, r.header.type);
        } else if constexpr (std::is_same_v<t, auth_packet>) {
          w.write_int(body.type);
          w.write_string(body.scheme);
          w.write_buffer(body.auth);
        } else if constexpr (std::is_same_v<t, watch_request>) {
          w.write_string(body.path);
          w.write_int(body.type);
        } else if constexpr (std::is_same_v<t, add_watch_request>) {
          w.write_string(body.path);
          w.write_int(body.mode);
        } else if constexpr (std::is_same_v<t, reconfig_request>) {
          for (const auto* field :
               {&body.joining_servers, &body.leaving_servers, &body.new_members})
            *field ? w.write_string(**field) : w.write_null_buffer();
          w.write_long(body.cur_config_id);
        } else if constexpr (std::is_same_v<t, sasl_request>) {
          w.write_buffer(body.token);
        } else if constexpr (std::is_same_v<t, multi_read_request>) {
          for (const auto& op : body.ops) {
            w.write_int(op.type);
            w.write_bool(false);
            w.write_int(-1);
            w.write_string(op.body.path);
            w.write_bool(op.body.watch);
          }
          w.write_int(-1);
          w.write_bool(true);
          w.write_int(-1);
        } else {
          encode(out, body);
        }
      },
      r.body);
  w.end_frame(start);
}

void encode_reply(std::string& out, const reply_header& h) {
  writer w{out};
  auto start = w.begin_frame();
  encode(out, h);
  w.end_frame(start);
}

void encode_sasl_reply(std::string& out, int32_t xid) {
  writer w{out};
  auto start = w.begin_frame();
  encode(out, reply_header{xid, 0, 0});
  w.write_int(-1); // SetSASLResponse: a null token
  w.end_frame(start);
}

void encode_sasl_reply(std::string& out, int32_t xid, int32_t err,
                       const std::optional<std::string>& token) {
  writer w{out};
  auto start = w.begin_frame();
  encode(out, reply_header{xid, 0, err});
  w.write_buffer(token.value_or(std::string()), !token.has_value());
  w.end_frame(start);
}

void encode_event(std::string& out, int64_t zxid, const watcher_event& e) {
  writer w{out};
  auto start = w.begin_frame();
  encode(out, reply_header{xid::notification, zxid, 0});
  w.write_int(static_cast<int32_t>(e.type));
  w.write_int(static_cast<int32_t>(e.state));
  w.write_string(e.path);
  w.end_frame(start);
}

void encode_multi_response(std::string& out, const std::vector<multi_result_entry>& results) {
  writer w{out};
  for (const auto& r : results) {
    const bool failed = r.type == opcode::error;
    // ZooKeeper reports every create that returns a stat as create2 (its CreateResult).
    const bool create_with_stat =
        r.type == opcode::create_ttl || r.type == opcode::create_container;
    w.write_int(create_with_stat ? opcode::create2 : r.type);
    w.write_bool(false);
    w.write_int(failed ? r.err : 0);
    if (failed) {
      w.write_int(r.err); // ErrorResponse
      continue;
    }
    switch (r.type) {
    case opcode::create: w.write_string(r.path); break;
    case opcode::create2:
    case opcode::create_ttl:
    case opcode::create_container:
      w.write_string(r.path);
      encode(out, r.stat);
      break;
    case opcode::set_data: encode(out, r.stat); break;
    default: // delete, check: nothing
      break;
    }
  }
  w.write_int(-1);
  w.write_bool(true);
  w.write_int(-1);
}

decode_status decode_multi_response(std::span<const char> body,
                                    std::vector<multi_result_entry>& out) {
  reader r{body};
  out.clear();
  for (;;) {
    multi_result_entry e;
    e.type = r.read_int();
    const bool done = r.read_bool();
    e.err = r.read_int();
    if (!r.ok()) return decode_status::truncated;
    if (done) return decode_status::ok;
    switch (e.type) {
    case opcode::error: e.err = r.read_int(); break;
    case opcode::create: e.path = r.read_string(); break;
    case opcode::create2:
    case opcode::create_ttl:
    case opcode::create_container:
      e.path = r.read_string();
      read_stat(r, e.stat);
      break;
    case opcode::set_data: read_stat(r, e.stat); break;
    case opcode::remove:
    case opcode::delete_container:
    case opcode::check: break;
    default: return decode_status::malformed;
    }
    if (!r.ok()) return decode_status::truncated;
    out.push_back(std::move(e));
  }
}

decode_status decode_connect_response(std::span<const char> frame, connect_response& out) {
  reader r{frame};
  out.protocol_version = r.read_int();
  out.timeout_ms = r.read_int();
  out.session_id = r.read_long();
  out.passwd = r.read_buffer();
  if (!r.ok()) return decode_status::truncated;
  out.has_read_only = !r.at_end();
  out.read_only = out.has_read_only ? r.read_bool() : false;
  return finish(r);
}

decode_status decode_reply_header(std::span<const char> frame, reply_header& out,
                                  size_t& body_offset) {
  reader r{frame};
  out.xid = r.read_int();
  out.zxid = r.read_long();
  out.err = r.read_int();
  body_offset = 16;
  return finish(r);
}

decode_status decode_stat(std::span<const char> body, stat& out) {
  reader r{body};
  read_stat(r, out);
  return finish(r);
}

decode_status decode_event(std::span<const char> body, watcher_event& out) {
  reader r{body};
  out.type = static_cast<event_type>(r.read_int());
  out.state = static_cast<keeper_state>(r.read_int());
  out.path = r.read_string();
  return finish(r);
}

} // namespace paddock::jute
