#include "tools/bench/session_setup.hpp"

#include "protocol/jute/error_code.hpp"
#include "tools/common/sync_client.hpp"

#include <algorithm>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

namespace paddock::bench {

namespace {

// How long a server of an ensemble may take to show what was created through the first one;
// well under the session timeout, as the measuring sessions sit idle meanwhile.
constexpr std::chrono::milliseconds replication_timeout{10000};
constexpr size_t connect_threads = 32;

std::string err_name(int32_t code) {
  return std::string(jute::error_name(static_cast<jute::error_code>(code)));
}

} // namespace

bool ensure_root(const options& opt, std::string& error) {
  tools::sync_client admin;
  if (!admin.connect(opt.servers.front(), opt.session_timeout_ms, connect_timeout)) {
    error = admin.error();
    return false;
  }
  auto r =
      admin.call(jute::opcode::create, jute::create_request{opt.root, "", jute::open_acl_unsafe(),
                                                            jute::create_mode::persistent, -1});
  admin.close_session();
  if (!r) {
    error = admin.error();
    return false;
  }
  if (r->header.err != 0 && r->header.err != static_cast<int32_t>(jute::error_code::node_exists)) {
    error = "create " + opt.root + ": " + err_name(r->header.err);
    return false;
  }
  return true;
}

void remove_root(const options& opt) {
  tools::sync_client admin;
  if (!admin.connect(opt.servers.front(), opt.session_timeout_ms, connect_timeout)) {
    std::cerr << "paddock-bench: cleanup: " << admin.error() << '\n';
    return;
  }
  auto r = admin.call(jute::opcode::remove, jute::delete_request{opt.root, -1});
  admin.close_session();
  if (r && r->header.err != 0 && r->header.err != static_cast<int32_t>(jute::error_code::no_node))
    std::cerr << "paddock-bench: note: " << opt.root << " not removed: " << err_name(r->header.err)
              << '\n';
}

bool wait_replicated(const options& opt, const std::string& last_path, std::string& error) {
  for (size_t j = 1; j < opt.servers.size(); ++j) {
    const auto& server = opt.servers[j];
    auto where = tools::to_string(server) + ": ";
    tools::sync_client c;
    if (!c.connect(server, opt.session_timeout_ms, connect_timeout)) {
      error = where + c.error();
      return false;
    }
    auto deadline = std::chrono::steady_clock::now() + replication_timeout;
    for (;;) {
      auto synced = c.call(jute::opcode::sync, jute::path_request{opt.root});
      if (!synced || synced->header.err != 0) {
        error =
            where + "sync " + opt.root + ": " + (synced ? err_name(synced->header.err) : c.error());
        return false;
      }
      auto seen = c.call(jute::opcode::exists, jute::path_watch_request{last_path, false});
      if (!seen) {
        error = where + c.error();
        return false;
      }
      if (seen->header.err == 0) break;
      if (seen->header.err != static_cast<int32_t>(jute::error_code::no_node)) {
        error = where + "exists " + last_path + ": " + err_name(seen->header.err);
        return false;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        error = where + last_path + " still missing " +
                std::to_string(replication_timeout.count()) + " ms after setup";
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    c.close_session();
  }
  return true;
}

bool open_sessions(const options& opt, size_t first, size_t count, event_loop& loop,
                   std::string& error) {
  std::vector<std::optional<pipelined_session>> opened(count);
  std::vector<std::string> errors(count);
  auto open_one = [&](size_t i) {
    const auto& server = opt.servers[(first + i) % opt.servers.size()];
    tools::sync_client c;
    if (!c.connect(server, opt.session_timeout_ms, connect_timeout)) {
      errors[i] = "session " + std::to_string(first + i + 1) + " (" + tools::to_string(server) +
                  "): " + c.error();
      return;
    }
    auto id = c.session().session_id;
    auto timeout = c.session().timeout_ms;
    auto xid = c.next_xid();
    auto decoder = std::move(c.decoder());
    int fd = c.release_fd();
    tools::set_nonblocking(fd);
    opened[i].emplace(fd, std::move(decoder), id, xid, timeout);
  };
  // Each thread takes every threads-th session: no shared state but its own slots.
  auto threads_wanted = std::min(count, connect_threads);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < threads_wanted; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = t; i < count; i += threads_wanted)
        open_one(i);
    });
  for (auto& t : threads)
    t.join();
  for (size_t i = 0; i < count; ++i)
    if (!errors[i].empty()) {
      error = errors[i];
      return false; // the sessions opened so far close with `opened`
    }
  for (auto& s : opened)
    loop.add(std::move(*s));
  return true;
}

} // namespace paddock::bench
