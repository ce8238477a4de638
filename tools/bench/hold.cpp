#include "tools/bench/hold.hpp"

#include "protocol/jute/error_code.hpp"
#include "tools/bench/event_loop.hpp"
#include "tools/bench/session_setup.hpp"
#include "tools/bench/znodes.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <sys/prctl.h>

namespace paddock::bench {

namespace {

constexpr int exit_failure = 3;
constexpr std::chrono::milliseconds stall_timeout{30000};
constexpr size_t session_batch = 500;

volatile std::sig_atomic_t stop_requested = 0;

void on_stop_signal(int) {
  stop_requested = 1;
}

// No SA_RESTART: the signal interrupts epoll_wait, so the hold ends at once.
void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  // Should the script that started it die without stopping it, the holder must not keep ten
  // thousand sessions open forever.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
}

double seconds_since(clock::time_point start) {
  return std::chrono::duration<double>(clock::now() - start).count();
}

std::string err_name(int32_t code) {
  return std::string(jute::error_name(static_cast<jute::error_code>(code)));
}

// Creates paths 0..count-1 (NodeExists is fine: a kept earlier tree) through the sessions on
// the first server.
class create_all_phase : public phase {
public:
  create_all_phase(const options& opt, uint64_t count, std::function<std::string(uint64_t)> path)
      : opt_(opt), count_(count), path_(std::move(path)), value_(make_value(opt.value_size)) {}

  bool next(size_t index, outgoing& out, clock::time_point) override {
    if (next_ >= count_ || index % opt_.servers.size() != 0) return false;
    out.opcode = jute::opcode::create;
    out.body = jute::create_request{path_(next_++), value_, jute::open_acl_unsafe(),
                                    jute::create_mode::persistent, -1};
    out.tag = 0;
    return true;
  }
  void done(size_t, const pipelined_session::completion& reply, clock::time_point) override {
    auto err = reply.header.err;
    if (err == 0 || err == static_cast<int32_t>(jute::error_code::node_exists)) return;
    if (failures_++ == 0) first_error_ = err;
  }
  uint64_t failures() const { return failures_; }
  int32_t first_error() const { return first_error_; }

private:
  const options& opt_;
  uint64_t count_;
  std::function<std::string(uint64_t)> path_;
  std::string value_;
  uint64_t next_ = 0;
  uint64_t failures_ = 0;
  int32_t first_error_ = 0;
};

// Session i sets watches i, i + S, i + 2S, ...; watch j is on znode j * stride, so the
// watches spread over the whole tree and no two share a znode.
class watch_phase : public phase {
public:
  watch_phase(const options& opt, const preload_spec& spec)
      : opt_(opt), spec_(spec), stride_(spec.watches > 0 ? spec.znodes / spec.watches : 1),
        next_(spec.sessions) {
    for (size_t i = 0; i < next_.size(); ++i)
      next_[i] = i;
  }

  bool next(size_t index, outgoing& out, clock::time_point) override {
    uint64_t j = next_[index];
    if (j >= spec_.watches) return false;
    next_[index] += spec_.sessions;
    auto path = preload_znode_path(opt_, j * stride_);
    out.opcode = j % 2 == 0 ? jute::opcode::get_data : jute::opcode::exists;
    out.body = jute::path_watch_request{std::move(path), true};
    out.tag = 0;
    return true;
  }
  void done(size_t, const pipelined_session::completion& reply, clock::time_point) override {
    // Both on an existing znode: an error means the watch was not set as intended.
    if (reply.header.err == 0) return;
    if (failures_++ == 0) first_error_ = reply.header.err;
  }
  uint64_t failures() const { return failures_; }
  int32_t first_error() const { return first_error_; }

private:
  const options& opt_;
  preload_spec spec_;
  uint64_t stride_;
  std::vector<uint64_t> next_;
  uint64_t failures_ = 0;
  int32_t first_error_ = 0;
};

bool fill_tree(const options& opt, const preload_spec& spec, std::string& error) {
  if (spec.znodes == 0) return true;
  event_loop workers;
  if (!workers.ok() || !open_sessions(opt, opt.sessions, workers, error)) return false;
  uint64_t groups = preload_group_count(spec.znodes);
  create_all_phase make_groups(opt, groups, [&](uint64_t g) { return preload_group_path(opt, g); });
  create_all_phase make_znodes(opt, spec.znodes,
                               [&](uint64_t z) { return preload_znode_path(opt, z); });
  for (auto* p : {&make_groups, &make_znodes}) {
    if (!workers.run(*p, opt.outstanding, stall_timeout)) {
      error = "filling the tree: " + workers.error();
      return false;
    }
    if (p->failures() > 0) {
      error = "filling the tree: " + std::to_string(p->failures()) +
              " creates failed (first: " + err_name(p->first_error()) + ")";
      return false;
    }
  }
  workers.close_all(std::chrono::milliseconds(5000));
  return opt.servers.size() == 1 ||
         wait_replicated(opt, preload_znode_path(opt, spec.znodes - 1), error);
}

void print_line(const options& opt, const std::string& json, const std::string& human) {
  std::cout << (opt.json ? json : human) << std::endl;
}

} // namespace

int run_hold(const options& opt) {
  const auto& spec = *opt.hold;
  install_stop_handlers();
  std::string error;
  auto fail = [&](const std::string& what) {
    std::cerr << "paddock-bench: hold: " << what << '\n';
    return exit_failure;
  };
  if (!ensure_root(opt, error)) return fail(error);

  auto t0 = clock::now();
  if (!fill_tree(opt, spec, error)) return fail(error);
  double fill_s = seconds_since(t0);

  // In batches, pinging those already open in between: on a busy machine, ten thousand
  // sessions can take longer to open than a session lives without a ping.
  auto t1 = clock::now();
  event_loop idle;
  if (!idle.ok()) return fail("epoll_create failed");
  for (size_t first = 0; first < spec.sessions; first += session_batch) {
    size_t count = std::min<size_t>(session_batch, spec.sessions - first);
    if (!open_sessions(opt, first, count, idle, error)) return fail(error);
    if (!idle.ping_idle()) return fail(idle.error());
  }
  double sessions_s = seconds_since(t1);

  auto t2 = clock::now();
  watch_phase watches(opt, spec);
  if (!idle.run(watches, opt.outstanding, stall_timeout)) return fail("watches: " + idle.error());
  if (watches.failures() > 0)
    return fail("watches: " + std::to_string(watches.failures()) +
                " requests failed (first: " + err_name(watches.first_error()) + ")");
  double watches_s = seconds_since(t2);

  char line[512];
  std::snprintf(line, sizeof line,
                "{\"hold\":\"ready\",\"root\":\"%s\",\"znodes\":%llu,\"sessions\":%llu,"
                "\"watches\":%llu,\"fill_s\":%.3f,\"fill_ops_per_sec\":%.1f,\"sessions_s\":%.3f,"
                "\"watches_s\":%.3f,\"pid\":%d}",
                opt.root.c_str(), static_cast<unsigned long long>(spec.znodes),
                static_cast<unsigned long long>(spec.sessions),
                static_cast<unsigned long long>(spec.watches), fill_s,
                fill_s > 0 ? static_cast<double>(spec.znodes) / fill_s : 0.0, sessions_s, watches_s,
                static_cast<int>(::getpid()));
  print_line(opt, line,
             "hold: ready: " + std::to_string(spec.znodes) + " znodes under " + opt.root + " (" +
                 std::to_string(fill_s) + " s), " + std::to_string(spec.sessions) + " sessions (" +
                 std::to_string(sessions_s) + " s), " + std::to_string(spec.watches) +
                 " watches (" + std::to_string(watches_s) + " s); holding until SIGTERM/SIGINT");

  auto t3 = clock::now();
  auto limit =
      std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(opt.duration_s));
  bool held = idle.hold(
      [&] { return !stop_requested && (opt.duration_s == 0 || clock::now() - t3 < limit); },
      stall_timeout);
  double held_s = seconds_since(t3);
  uint64_t events = 0;
  for (size_t i = 0; i < idle.size(); ++i)
    events += idle.session(i).notifications();
  if (!held) return fail("after " + std::to_string(held_s) + " s: " + idle.error());
  size_t closed = idle.close_all(std::chrono::milliseconds(20000));
  std::snprintf(line, sizeof line,
                "{\"hold\":\"done\",\"held_s\":%.3f,\"notifications\":%llu,\"closed\":%zu}", held_s,
                static_cast<unsigned long long>(events), closed);
  print_line(opt, line,
             "hold: done after " + std::to_string(held_s) + " s, " + std::to_string(events) +
                 " watch events received, " + std::to_string(closed) + " sessions closed");
  return 0;
}

} // namespace paddock::bench
