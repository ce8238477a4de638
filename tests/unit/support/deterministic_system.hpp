#pragma once
// An actor system for deterministic tests of the actors: CAF's test coordinator runs every
// scheduled actor on the test's thread, one message at a time in a fixed order, and fires
// delayed messages (timers, ticks) only when the test moves its virtual time. The server's
// clock is a clock::manual that moves with that virtual time: advance() moves both together,
// so what an actor reads from ctx->clock always agrees with when its timers fire.
//
// Detached actors (the txn log writer, the snapshotter in the server) would run on threads of
// their own that the coordinator does not drive: tests spawn the behaviour as an ordinary
// actor here, or a stand-in that speaks its typed interface (stand_ins.hpp).
#include "protocol/clock/manual.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

namespace paddock::testing {

class deterministic_system {
public:
  deterministic_system()
      : sys_(config_), sched_(dynamic_cast<caf::scheduler::test_coordinator&>(sys_.scheduler())),
        clock_(std::make_shared<clock::manual>(coordinator_us())) {}

  // Every actor spawned through spawn() is stopped, so that no timer keeps the
  // coordinator's shutdown (which runs until nothing is left to do) going for ever.
  ~deterministic_system() {
    for (const auto& a : spawned_)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched_.run();
  }

  deterministic_system(const deterministic_system&) = delete;
  deterministic_system& operator=(const deterministic_system&) = delete;

  caf::actor_system& sys() { return sys_; }
  caf::scheduler::test_coordinator& coordinator() { return sched_; }
  // For server_context::clock.
  std::shared_ptr<clock::manual> clock() const { return clock_; }

  template <class... Ts> auto spawn(Ts&&... xs) {
    auto handle = sys_.spawn(std::forward<Ts>(xs)...);
    spawned_.push_back(caf::actor_cast<caf::actor>(handle));
    return handle;
  }

  // Handles every message sent so far and every message those send, until none is left
  // (or `at_most` were handled). Time stands still meanwhile. Returns how many were handled.
  size_t run(size_t at_most = std::numeric_limits<size_t>::max()) { return sched_.run(at_most); }

  // Time passes: the manual clock and the coordinator's clock move together, `step` at a
  // time, and after each step every timer that came due fires and everything runs.
  void advance(std::chrono::microseconds by,
               std::chrono::microseconds step = std::chrono::milliseconds(10)) {
    run();
    while (by.count() > 0) {
      const auto now = std::min(by, step);
      clock_->advance_us(now.count());
      sched_.advance_time(now);
      run();
      by -= now;
    }
  }

  // The manual clock and the coordinator's virtual time agree (advance keeps them so).
  bool clocks_agree() { return clock_->monotonic_us() == coordinator_us(); }

  // Asks `dest` a request from a throwaway actor and runs until the answer is in. Nothing
  // when `dest` answered with an error or not at all.
  template <class... Results, class Handle, class... Ts>
  std::optional<std::tuple<Results...>> ask(const Handle& dest, Ts... xs) {
    using answer_ptr = std::shared_ptr<std::optional<std::tuple<Results...>>>;
    auto answer = std::make_shared<std::optional<std::tuple<Results...>>>();
    // `answer` goes in as an argument: CAF 0.17 dereferences a null pointer when it starts a
    // function-based actor spawned without arguments (UBSan reports it).
    sys_.spawn(
        [=](caf::event_based_actor* self, answer_ptr out) {
          self->request(dest, caf::infinite, xs...).then([=](Results&... rs) {
            *out = std::make_tuple(std::move(rs)...);
          });
        },
        answer);
    run();
    return *answer;
  }

private:
  struct testing_config : caf::actor_system_config {
    testing_config() {
      set("scheduler.policy", caf::atom("testing"));
      set("logger.console-verbosity", caf::atom("quiet"));
      set("logger.file-verbosity", caf::atom("quiet"));
    }
  };

  int64_t coordinator_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(sched_.clock().current_time.time_since_epoch()).count();
  }

  testing_config config_; // the system keeps a reference to it
  caf::actor_system sys_;
  caf::scheduler::test_coordinator& sched_;
  std::shared_ptr<clock::manual> clock_;
  std::vector<caf::actor> spawned_;
};

} // namespace paddock::testing
