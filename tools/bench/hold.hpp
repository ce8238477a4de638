#pragma once
// paddock-bench --hold: the background of the scale scenario (issue 14: a million znodes,
// ten thousand sessions, a hundred thousand watches while the workloads run). It
//   1. creates the znodes under --root in groups of 1,000 (znodes.hpp), through --sessions
//      worker sessions on the first server, --outstanding requests in flight each;
//   2. opens the idle sessions, round-robin over --server, from several threads;
//   3. sets the watches over them: watch j on session j mod S, on a distinct znode spread
//      over the tree, getData for even j and exists for odd j (both leave a data watch);
//   4. prints one line ("ready"), then keeps every session alive with pings until SIGTERM or
//      SIGINT (or --duration), counting the watch events that arrive (none should: nothing
//      writes the preloaded tree), closes the sessions and prints a last line.
// The znodes stay: deleting a million costs as much as creating them, and the scripts throw
// the servers' data away. Exit status: 0 ok, 3 setup failed or a session was lost.
#include "tools/bench/options.hpp"

namespace paddock::bench {

int run_hold(const options& opt);

} // namespace paddock::bench
