#pragma once
// ZooKeeper's four-letter words (ruok, srvr, stat, mntr, conf, cons, wchs, wchc, wchp, envi,
// isro, dirs, crst, srst), answered in ZooKeeper 3.8's exact formats: tools parse `Mode:`
// from srvr/stat and the `zk_*` keys from mntr. Pure formatting: the server gathers a
// snapshot of its figures, this turns it into the text ZooKeeper would send.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::admin {

// One client connection, as ZooKeeper's ServerCnxn.dumpConnectionInfo prints it.
struct connection_info {
  std::string remote; // "/127.0.0.1:40212", with ZooKeeper's leading slash
  int64_t queued = 0; // requests in flight
  int64_t received = 0;
  int64_t sent = 0;
  int64_t session_id = 0; // 0 before the handshake completes
  std::string last_op = "NA";
  int64_t established_ms = 0;
  int32_t timeout_ms = 0;
  int64_t last_cxid = -1;
  int64_t last_zxid = -1;
  int64_t last_response_ms = 0;
  int64_t last_latency_ms = 0;
  int64_t min_latency_ms = 0;
  double avg_latency_ms = 0;
  int64_t max_latency_ms = 0;
};

struct server_snapshot {
  std::string version; // zk_version / "Zookeeper version:"
  std::string mode = "standalone";
  int64_t zxid = 0;
  uint64_t node_count = 0;
  int64_t min_latency_ms = 0;
  double avg_latency_ms = 0;
  int64_t max_latency_ms = 0;
  uint64_t packets_received = 0;
  uint64_t packets_sent = 0;
  int64_t alive_connections = 0;
  int64_t outstanding_requests = 0;
  uint64_t watch_count = 0;      // mntr zk_watch_count: data and child watches
  uint64_t data_watch_count = 0; // wchs "Total watches": data watches only, as 3.8
  uint64_t watched_paths = 0;
  uint64_t watching_connections = 0;
  uint64_t ephemerals_count = 0;
  uint64_t approximate_data_size = 0;
  uint64_t global_sessions = 0;
  int64_t open_file_descriptors = -1; // -1: unknown, the key is left out
  int64_t max_file_descriptors = -1;
  int64_t uptime_ms = 0;
  uint64_t data_dir_size = 0;
  uint64_t log_dir_size = 0;
  std::vector<connection_info> connections;                // cons, stat
  std::vector<std::pair<std::string, std::string>> config; // conf, in order
  // conf of an ensemble member: "membership: " and the active configuration's lines, as
  // /zookeeper/config holds them (version=<hex> last, no newline after it, as 3.8).
  std::string membership;
  std::vector<std::pair<std::string, std::string>> environment;                 // envi, in order
  std::vector<std::pair<int64_t, std::vector<std::string>>> watches_by_session; // wchc
  std::vector<std::pair<std::string, std::vector<int64_t>>> watches_by_path;    // wchp
};

// True when the first four bytes of a connection are a four-letter word ZooKeeper knows.
bool is_four_letter_word(std::string_view first_four_bytes);

// What the bytes a connection has sent so far make it. ZooKeeper (NIOServerCnxn) reads the
// first 4 bytes, whether a ConnectRequest's length prefix or a word, however many TCP
// segments they come in: "ru" then "ok" is answered imok. So fewer than 4 are incomplete.
enum class first_bytes_kind {
  incomplete,       // fewer than 4 bytes: wait for more
  four_letter_word, // the first 4 are a word ZooKeeper knows
  other,            // a length prefix (or garbage): a client session
};
first_bytes_kind classify_first_bytes(std::string_view head);

// What a word needs gathered beyond the counters.
bool needs_connections(std::string_view word);    // cons, stat
bool needs_watch_listings(std::string_view word); // wchc, wchp

// The answer to `word`, formatted as ZooKeeper 3.8 formats it. crst and srst only answer
// here; resetting the statistics is the server's part.
std::string answer(std::string_view word, const server_snapshot& s);

// ZooKeeper's short name of an operation, as cons shows it in `lop=` ("GETD", "CREA", ...).
std::string_view operation_name(int32_t opcode);

// What ZooKeeper answers for a word that is not in 4lw.commands.whitelist.
std::string not_whitelisted_message(std::string_view word);

} // namespace paddock::admin
