#pragma once
// paddock-bench's blocking steps around a run: the root znode, opening sessions, and waiting
// until every server of an ensemble has what was created through the first one.
#include "tools/bench/event_loop.hpp"
#include "tools/bench/options.hpp"

#include <chrono>
#include <string>

namespace paddock::bench {

inline constexpr std::chrono::milliseconds connect_timeout{10000};

// Creates --root through the first server; an existing root (a kept run) is reused.
bool ensure_root(const options& opt, std::string& error);

// Deletes the root if it is empty now; something else left in it is only worth a note.
void remove_root(const options& opt);

// ZooKeeper is consistent per session only: a follower may answer a read before it has
// applied writes that other sessions made through other servers. Before relying on what was
// created through the first server, every other server must have it: sync makes a server
// catch up with the leader as of the sync, and an exists of `last_path` (the last thing
// created) checks it, retrying (bounded) should a server's sync be weaker.
bool wait_replicated(const options& opt, const std::string& last_path, std::string& error);

// Opens `count` sessions, session i on servers[i % N] for i = first .. first + count - 1,
// and hands them to the loop in that order. Connects from several threads at once: a session is a
// write (createSession) that waits for a disk sync on both servers, so 10,000 sessions one after
// the other would take minutes; opened together they share the syncs.
bool open_sessions(const options& opt, size_t first, size_t count, event_loop& loop,
                   std::string& error);
inline bool open_sessions(const options& opt, size_t count, event_loop& loop, std::string& error) {
  return open_sessions(opt, 0, count, loop, error);
}

} // namespace paddock::bench
