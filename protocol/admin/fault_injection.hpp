#pragma once
// The test-only fault-injection command, present only with `paddock --enable-fault-injection`:
// a client-port connection whose first four bytes are `kill` carries one line naming an actor
// of the server to kill,
//   kill session [0x<session id>]      kill follower-link [<server id>]
//   kill pipeline | watch-manager | store | log-writer | peer-links | session-tracker
//   kill next-set-data                 (the next setData applied here gets other data)
// and gets one line back before it is closed, as a four-letter word does. Pure text handling:
// reading the line, parsing it into a request, and the answer lines; the server does the rest.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::admin {

enum class fault_target {
  session,       // one session actor: its connection closes, the session lives on
  follower_link, // one ZAB link (leader: to a follower; learner: to the leader)
  pipeline,      // the core actors below: their death stops the server (exit status 3)
  watch_manager,
  store,
  log_writer,
  peer_links,
  session_tracker,
  // Not an actor: the next setData txn this server's store applies is applied with other
  // data than the txn's, so its tree diverges from the other servers' (what the tree
  // digest check must catch). The store lives on.
  next_set_data,
};

struct fault_request {
  fault_target target = fault_target::session;
  // session: the session id; follower_link: the server id. None: one chosen at random.
  std::optional<int64_t> id;
};

// The longest command line read, newline included; a longer one closes the connection.
constexpr std::size_t max_fault_line = 256;

// True when the first four bytes of a connection open a fault-injection command.
bool is_fault_command(std::string_view first_four_bytes);

// Where the bytes received so far stand: the line is not complete yet, it is (a '\n' within
// max_fault_line bytes), or it is too long.
enum class fault_line_state { incomplete, complete, too_long };
fault_line_state scan_fault_line(std::string_view received);

// Parses a whole command line ("kill session 0x1f\n"); the trailing newline (and '\r') may be
// there or not. On failure `error` is the answer line to send.
struct fault_parse_result {
  std::optional<fault_request> request;
  std::string error;
};
fault_parse_result parse_fault_command(std::string_view line);

// The target's name as the command spells it ("watch-manager").
std::string_view fault_target_name(fault_target t);

// Answer lines.
std::string fault_killed_answer(const fault_request& killed); // "killed session 0x1f\n"
std::string fault_nothing_answer(fault_target t);             // "no session\n"

} // namespace paddock::admin
