#pragma once
// A CAF scheduler that runs every event-based actor on the middleman's I/O thread, the one
// that already runs the client listener and the peer transport (BASP). With it a message
// between two actors, or between an actor and a socket, is a queue push on the same thread:
// no futex wake, no pipe write, no context switch. Measured on two cores (docs/benchmarks.md),
// handing messages between CAF's worker threads and the I/O thread cost more CPU per write
// than the work itself. Detached actors (the txn log writer, the snapshotter) keep their own
// threads; timers keep CAF's clock thread. Selected by `paddock.workerThreads=0`.
//
// Nothing that runs on an actor may block: a blocked actor now stalls every socket too.
#include <caf/actor_system.hpp>
#include <caf/detail/thread_safe_actor_clock.hpp>
#include <caf/ref_counted.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>
#include <mutex>
#include <thread>
#include <vector>

namespace paddock::actors {

class io_thread_scheduler : public caf::scheduler::abstract_coordinator {
public:
  explicit io_thread_scheduler(caf::actor_system& sys);
  ~io_thread_scheduler() override;

  // For actor_system_config::load<io_thread_scheduler>().
  static caf::actor_system::module* make(caf::actor_system& sys, caf::detail::type_list<>);

  void enqueue(caf::resumable* job) override;
  caf::actor_clock& clock() noexcept override { return clock_; }

protected:
  void start() override;
  void stop() override;

private:
  // Runs on the I/O thread: resumes every actor queued when it starts, then posts itself
  // again if more came meanwhile (so sockets get their turn between rounds).
  class runner : public caf::resumable, public caf::ref_counted {
  public:
    explicit runner(io_thread_scheduler& parent) : parent_(parent) {}
    subtype_t subtype() const override { return function_object; }
    resume_result resume(caf::execution_unit* unit, size_t max_throughput) override;
    void intrusive_ptr_add_ref_impl() override { ref(); }
    void intrusive_ptr_release_impl() override { deref(); }

  private:
    io_thread_scheduler& parent_;
  };

  void post_runner();

  caf::detail::thread_safe_actor_clock clock_;
  std::thread timer_;
  std::mutex mutex_;
  std::vector<caf::resumable*> ready_; // actors with messages, in the order they got them
  bool runner_posted_ = false;
  caf::intrusive_ptr<runner> runner_;
};

} // namespace paddock::actors
