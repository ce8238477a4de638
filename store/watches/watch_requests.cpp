#include "store/watches/watch_requests.hpp"

#include "protocol/jute/codec.hpp"
#include "protocol/jute/jute_writer.hpp"
#include "protocol/jute/opcodes.hpp"

namespace paddock::store {

namespace {

void header_frame(std::string& out, int32_t xid, int64_t zxid, jute::error_code err,
                  bool error_response_body) {
  jute::writer w{out};
  auto start = w.begin_frame();
  jute::encode(out, jute::reply_header{xid, zxid, static_cast<int32_t>(err)});
  if (error_response_body) w.write_int(0);
  w.end_frame(start);
}

} // namespace

void execute_add_watch(const jute::add_watch_request& r, int32_t xid, int64_t zxid,
                       std::string& out, watch_registration& reg) {
  reg = {};
  if (r.mode != 0 && r.mode != 1) {
    header_frame(out, xid, zxid, jute::error_code::marshalling_error, false);
    return;
  }
  reg = {r.mode == 0 ? watch_kind::persistent : watch_kind::persistent_recursive, r.path};
  header_frame(out, xid, zxid, jute::error_code::ok, true);
}

bool to_watch_query(const jute::request& request, watch_query& q) {
  const auto type = request.header.type;
  if (type != jute::opcode::check_watches && type != jute::opcode::remove_watches) return false;
  const auto* body = std::get_if<jute::watch_request>(&request.body);
  if (!body) return false;
  q.remove = type == jute::opcode::remove_watches;
  q.xid = request.header.xid;
  q.path = body->path;
  q.type = body->type;
  return true;
}

jute::error_code run_watch_query(watch_table& table, const watch_query& q, watcher_id w) {
  if (q.type < 1 || q.type > 3) return jute::error_code::marshalling_error;
  const auto type = static_cast<watcher_type>(q.type);
  const bool hit = q.remove ? table.remove(q.path, type, w) : table.contains(q.path, type, w);
  return hit ? jute::error_code::ok : jute::error_code::no_watcher;
}

void encode_watch_query_reply(std::string& out, const watch_query& q, int64_t zxid,
                              jute::error_code err) {
  header_frame(out, q.xid, zxid, err, false);
}

} // namespace paddock::store
