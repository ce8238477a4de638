#include "protocol/admin/four_letter_words.hpp"

#include "protocol/admin/monitor_values.hpp"
#include "protocol/jute/opcodes.hpp"

#include <array>
#include <cstdio>

namespace paddock::admin {

namespace {

constexpr std::array<std::string_view, 18> known_words = {
    "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk",
    "srst", "srvr", "stat", "wchc", "wchp", "wchs", "mntr", "isro", "hash"};

std::string hex(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Java's String.format("%.4f") as ZooKeeper prints average latencies.
std::string four_decimals(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

void connection_line(std::string& out, const connection_info& c, bool brief) {
  out += ' ';
  out += c.remote;
  out += "[1](queued=" + std::to_string(c.queued) + ",recved=" + std::to_string(c.received) +
         ",sent=" + std::to_string(c.sent);
  if (!brief && c.session_id != 0) {
    out += ",sid=0x" + hex(c.session_id);
    out += ",lop=" + c.last_op;
    out += ",est=" + std::to_string(c.established_ms);
    if (c.timeout_ms > 0) out += ",to=" + std::to_string(c.timeout_ms);
    if (c.last_cxid >= 0) out += ",lcxid=0x" + hex(c.last_cxid);
    if (c.last_zxid >= 0) out += ",lzxid=0x" + hex(c.last_zxid);
    out += ",lresp=" + std::to_string(c.last_response_ms);
    out += ",llat=" + std::to_string(c.last_latency_ms);
    out += ",minlat=" + std::to_string(c.min_latency_ms);
    out += ",avglat=" + four_decimals(c.avg_latency_ms);
    out += ",maxlat=" + std::to_string(c.max_latency_ms);
  }
  out += ")\n";
}

// srvr's body; stat is the same with the client list after the version line.
std::string server_summary(const server_snapshot& s, bool with_clients) {
  std::string out = "Zookeeper version: " + s.version + "\n";
  if (with_clients) {
    out += "Clients:\n";
    for (const auto& c : s.connections)
      connection_line(out, c, true);
    out += "\n";
  }
  out += "Latency min/avg/max: " + std::to_string(s.min_latency_ms) + "/" +
         four_decimals(s.avg_latency_ms) + "/" + std::to_string(s.max_latency_ms) + "\n";
  out += "Received: " + std::to_string(s.packets_received) + "\n";
  out += "Sent: " + std::to_string(s.packets_sent) + "\n";
  out += "Connections: " + std::to_string(s.alive_connections) + "\n";
  out += "Outstanding: " + std::to_string(s.outstanding_requests) + "\n";
  out += "Zxid: 0x" + hex(s.zxid) + "\n";
  out += "Mode: " + s.mode + "\n";
  out += "Node count: " + std::to_string(s.node_count) + "\n";
  return out;
}

std::string key_values(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out;
  for (const auto& [k, v] : kv)
    out += k + "=" + v + "\n";
  return out;
}

} // namespace

bool is_four_letter_word(std::string_view head) {
  if (head.size() != 4) return false;
  for (auto w : known_words)
    if (w == head) return true;
  return false;
}

first_bytes_kind classify_first_bytes(std::string_view head) {
  if (head.size() < 4) return first_bytes_kind::incomplete;
  return is_four_letter_word(head.substr(0, 4)) ? first_bytes_kind::four_letter_word
                                                : first_bytes_kind::other;
}

bool needs_connections(std::string_view word) {
  return word == "cons" || word == "stat";
}

bool needs_watch_listings(std::string_view word) {
  return word == "wchc" || word == "wchp";
}

std::string answer(std::string_view word, const server_snapshot& s) {
  if (word == "ruok") return "imok";
  if (word == "srvr") return server_summary(s, false);
  if (word == "stat") return server_summary(s, true);
  if (word == "mntr") return format_mntr(monitor_values(s));
  if (word == "conf")
    return key_values(s.config) + (s.membership.empty() ? "" : "membership: \n" + s.membership);
  if (word == "envi") return "Environment:\n" + key_values(s.environment);
  if (word == "cons") {
    std::string out;
    for (const auto& c : s.connections)
      connection_line(out, c, false);
    return out + "\n";
  }
  if (word == "wchs")
    return std::to_string(s.watching_connections) + " connections watching " +
           std::to_string(s.watched_paths) +
           " paths\nTotal watches:" + std::to_string(s.data_watch_count) + "\n";
  if (word == "wchc") {
    std::string out;
    for (const auto& [sid, paths] : s.watches_by_session) {
      out += "0x" + hex(sid) + "\n";
      for (const auto& p : paths)
        out += "\t" + p + "\n";
    }
    return out + "\n";
  }
  if (word == "wchp") {
    std::string out;
    for (const auto& [path, sids] : s.watches_by_path) {
      out += path + "\n";
      for (auto sid : sids)
        out += "\t0x" + hex(sid) + "\n";
    }
    return out + "\n";
  }
  if (word == "isro") return s.mode == "read-only" ? "ro" : "rw";
  if (word == "dirs")
    return "datadir_size: " + std::to_string(s.data_dir_size) +
           "\nlogdir_size: " + std::to_string(s.log_dir_size) + "\n";
  if (word == "hash") {
    // DigestCommand: "<zxid in hex>: <digest>" per line, oldest first.
    std::string out;
    for (const auto& [zxid, digest] : s.digest_history) {
      char z[20];
      std::snprintf(z, sizeof z, "%llx", static_cast<unsigned long long>(zxid));
      out += z;
      out += ": ";
      out += std::to_string(digest);
      out += '\n';
    }
    return out;
  }
  if (word == "crst") return "Connection stats reset.\n";
  if (word == "srst") return "Server stats reset.\n";
  // dump, gtmk, stmk: known words Paddock does not serve.
  return std::string(word) + " is not supported by Paddock.\n";
}

std::string_view operation_name(int32_t opcode) {
  namespace op = jute::opcode;
  switch (opcode) {
  case op::create:
  case op::create2:
  case op::create_container:
  case op::create_ttl: return "CREA";
  case op::remove:
  case op::delete_container: return "DELE";
  case op::exists: return "EXIS";
  case op::get_data: return "GETD";
  case op::set_data: return "SETD";
  case op::get_acl: return "GETA";
  case op::set_acl: return "SETA";
  case op::get_children:
  case op::get_children2: return "GETC";
  case op::sync: return "SYNC";
  case op::ping: return "PING";
  case op::check: return "CHEC";
  case op::multi: return "MULT";
  case op::multi_read: return "MLTR";
  case op::set_watches: return "SETW";
  case op::set_watches2: return "STW2";
  case op::get_ephemerals: return "GETE";
  case op::create_session: return "SESS";
  case op::close_session: return "CLOS";
  default: return "NA";
  }
}

std::string not_whitelisted_message(std::string_view word) {
  return std::string(word) + " is not executed because it is not in the whitelist.\n";
}

} // namespace paddock::admin
