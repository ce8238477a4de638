#include "actors/io_thread_scheduler.hpp"

#include <caf/detail/set_thread_name.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/multiplexer.hpp>

namespace paddock::actors {

io_thread_scheduler::io_thread_scheduler(caf::actor_system& sys)
    : abstract_coordinator(sys), runner_(caf::make_counted<runner>(*this)) {}

io_thread_scheduler::~io_thread_scheduler() = default;

caf::actor_system::module* io_thread_scheduler::make(caf::actor_system& sys,
                                                     caf::detail::type_list<>) {
  return new io_thread_scheduler(sys); // NOLINT: CAF's module factories return owning raw pointers
}

void io_thread_scheduler::start() {
  timer_ = std::thread{[this] {
    caf::detail::set_thread_name("caf.clock");
    system().thread_started();
    clock_.run_dispatch_loop();
    system().thread_terminates();
  }};
  abstract_coordinator::start();
}

void io_thread_scheduler::stop() {
  stop_actors();
  // Every actor has finished (the actor system waits for them before stopping its modules);
  // what is still queued only needs its reference released.
  std::vector<caf::resumable*> left;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    left.swap(ready_);
  }
  for (auto* job : left)
    cleanup_and_release(job);
  clock_.cancel_dispatch_loop();
  timer_.join();
}

void io_thread_scheduler::enqueue(caf::resumable* job) {
  bool post = false;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    ready_.push_back(job);
    post = !std::exchange(runner_posted_, true);
  }
  if (post) post_runner();
}

void io_thread_scheduler::post_runner() {
  // The multiplexer takes over one reference; on its own thread this is a vector push, from
  // any other thread one write to its pipe (for a whole burst of messages: the runner is
  // posted once until it runs).
  runner_->ref();
  system().middleman().backend().exec_later(runner_.get());
}

caf::resumable::resume_result io_thread_scheduler::runner::resume(caf::execution_unit* unit,
                                                                  size_t max_throughput) {
  std::vector<caf::resumable*> jobs;
  {
    std::lock_guard<std::mutex> guard{parent_.mutex_};
    jobs.swap(parent_.ready_);
  }
  for (auto* job : jobs) {
    // As CAF's own workers do: a job that wants more time goes to the back of the queue; one
    // that waits for messages or is done gives up the reference the queue held.
    switch (job->resume(unit, max_throughput)) {
    case caf::resumable::resume_later: {
      std::lock_guard<std::mutex> guard{parent_.mutex_};
      parent_.ready_.push_back(job);
      break;
    }
    case caf::resumable::shutdown_execution_unit: break;
    default: caf::intrusive_ptr_release(job);
    }
  }
  bool again = false;
  {
    std::lock_guard<std::mutex> guard{parent_.mutex_};
    if (parent_.ready_.empty())
      parent_.runner_posted_ = false;
    else
      again = true;
  }
  if (again) parent_.post_runner();
  return caf::resumable::done;
}

} // namespace paddock::actors
