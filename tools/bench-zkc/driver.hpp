#pragma once
// Runs paddock-bench-zkc's sessions: connecting them (round-robin over --server), driving a
// phase over all of them until it is done, and closing them. The requests themselves flow
// on the handles' own threads (zk_session.hpp); the main thread only starts a phase, watches
// for its end or a stall, and calls `on_tick` every couple of milliseconds meanwhile.
#include "tools/bench-zkc/zk_session.hpp"
#include "tools/bench/options.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace paddock::bench::zkc {

using session_list = std::vector<std::unique_ptr<zk_session>>;

// Session i on opt.servers[i % N]; all connected within `timeout`, or false with `error`.
bool connect_sessions(const options& opt, size_t count, std::chrono::milliseconds timeout,
                      session_list& out, std::string& error);

// Until every session is idle. Fails (with `error`) when a session reports one, or when no
// completion arrives for `stall_timeout` while requests are in flight.
bool run_phase(session_list& sessions, zk_phase& p, size_t max_outstanding,
               std::chrono::milliseconds stall_timeout,
               const std::function<void(clock::time_point)>& on_tick, std::string& error);

// zookeeper_close on every session, several at a time (each waits for its closeSession).
void close_sessions(session_list& sessions);

} // namespace paddock::bench::zkc
