#pragma once
// ZooKeeper's four-letter words (ruok, srvr, stat, mntr, conf, cons, wchs, wchc, wchp, envi,
// isro, dirs, crst, srst, hash), answered in ZooKeeper 3.8's exact formats: tools parse `Mode:`
// from srvr/stat and the `zk_*` keys from mntr. Pure formatting: the server gathers a
// snapshot of its figures, this turns it into the text ZooKeeper would send.
#include "protocol/admin/server_snapshot.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace paddock::admin {

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
