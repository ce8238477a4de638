#include "tools/bench/event_loop.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/epoll.h>
#include <unistd.h>

namespace paddock::bench {

namespace {

std::string session_name(const pipelined_session& s) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "session 0x%llx", static_cast<unsigned long long>(s.session_id()));
  return buf;
}

} // namespace

event_loop::event_loop() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {}

event_loop::~event_loop() {
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void event_loop::add(pipelined_session session) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = sessions_.size();
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, session.fd(), &ev);
  sessions_.push_back(std::move(session));
  exhausted_.push_back(false);
  writing_.push_back(false);
}

bool event_loop::update_interest(size_t i) {
  bool want = sessions_[i].wants_write();
  if (want == writing_[i]) return true;
  epoll_event ev{};
  ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
  ev.data.u64 = i;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, sessions_[i].fd(), &ev) != 0) {
    error_ = std::string("epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  writing_[i] = want;
  return true;
}

bool event_loop::refill(size_t i, phase& p, size_t max_outstanding, clock::time_point now) {
  auto& s = sessions_[i];
  outgoing out;
  while (!exhausted_[i] && s.outstanding() < max_outstanding) {
    if (!p.next(i, out, now)) {
      exhausted_[i] = true;
      break;
    }
    s.enqueue(out.opcode, out.body, out.tag, now);
  }
  // A session with nothing to do for a third of its timeout pings, as ZooKeeper clients do,
  // so long setup or cleanup phases on other sessions never expire it.
  if (s.outstanding() == 0 && now - s.last_sent() > std::chrono::milliseconds(s.timeout_ms() / 3))
    s.enqueue_ping(now);
  if (!s.flush()) {
    error_ = session_name(s) + ": " + s.error();
    return false;
  }
  return update_interest(i);
}

namespace {

// Sends nothing: hold()'s phase, under which refill() only pings.
class no_requests : public phase {
public:
  bool next(size_t, outgoing&, clock::time_point) override { return false; }
  void done(size_t, const pipelined_session::completion&, clock::time_point) override {}
};

// How often every session is looked at for a due ping, however busy the others keep the
// loop: a session that receives nothing gets no event of its own.
constexpr std::chrono::milliseconds sweep_interval{100};

} // namespace

bool event_loop::poll_once(phase& p, size_t max_outstanding,
                           std::chrono::milliseconds stall_timeout) {
  events_.resize(sessions_.size() + 1);
  int n = ::epoll_wait(epoll_fd_, events_.data(), static_cast<int>(events_.size()),
                       static_cast<int>(sweep_interval.count()));
  if (n < 0) {
    if (errno == EINTR) return true;
    error_ = std::string("epoll_wait: ") + std::strerror(errno);
    return false;
  }
  auto now = clock::now();
  for (int k = 0; k < n; ++k) {
    size_t i = events_[k].data.u64;
    auto& s = sessions_[i];
    if (events_[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
      bool got = false;
      bool alive = s.receive([&](const pipelined_session::completion& c) {
        got = true;
        if (c.request.opcode != jute::opcode::ping) p.done(i, c, now);
      });
      if (got) last_progress_ = now;
      if (!alive) {
        error_ = session_name(s) + ": " + s.error();
        return false;
      }
    }
    if (!refill(i, p, max_outstanding, now)) return false;
  }
  if (n == 0 || now - last_sweep_ >= sweep_interval) {
    // Give idle sessions their pings and re-ask the phase (time-based phases may have work
    // again only after their clock moves; cheap either way).
    last_sweep_ = now;
    for (size_t i = 0; i < sessions_.size(); ++i)
      if (!refill(i, p, max_outstanding, now)) return false;
  }
  bool waiting = false;
  for (auto& s : sessions_)
    if (s.outstanding() > 0) waiting = true;
  if (!waiting)
    last_progress_ = now;
  else if (now - last_progress_ > stall_timeout) {
    error_ = "no reply from the server for " + std::to_string(stall_timeout.count()) +
             " ms with requests in flight";
    return false;
  }
  return true;
}

bool event_loop::run(phase& p, size_t max_outstanding, std::chrono::milliseconds stall_timeout) {
  std::fill(exhausted_.begin(), exhausted_.end(), false);
  auto now = clock::now();
  for (size_t i = 0; i < sessions_.size(); ++i)
    if (!refill(i, p, max_outstanding, now)) return false;
  last_progress_ = now;
  last_sweep_ = now;
  for (;;) {
    bool busy = false;
    for (size_t i = 0; i < sessions_.size(); ++i)
      if (!exhausted_[i] || sessions_[i].outstanding() > 0) busy = true;
    if (!busy) return true;
    if (!poll_once(p, max_outstanding, stall_timeout)) return false;
  }
}

bool event_loop::ping_idle() {
  no_requests none;
  auto now = clock::now();
  std::fill(exhausted_.begin(), exhausted_.end(), true);
  for (size_t i = 0; i < sessions_.size(); ++i)
    if (!refill(i, none, 0, now)) return false;
  return true;
}

bool event_loop::hold(const std::function<bool()>& keep_going,
                      std::chrono::milliseconds stall_timeout) {
  no_requests none;
  std::fill(exhausted_.begin(), exhausted_.end(), true);
  last_progress_ = clock::now();
  last_sweep_ = last_progress_;
  while (keep_going())
    if (!poll_once(none, 0, stall_timeout)) return false;
  return true;
}

size_t event_loop::close_all(std::chrono::milliseconds timeout) {
  auto now = clock::now();
  for (auto& s : sessions_) {
    s.enqueue(jute::opcode::close_session, jute::empty_request{}, 0, now);
    (void)s.flush();
  }
  auto deadline = now + timeout;
  std::vector<bool> closed(sessions_.size(), false);
  size_t remaining = sessions_.size();
  std::vector<epoll_event> events(sessions_.size() + 1);
  while (remaining > 0 && clock::now() < deadline) {
    int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 50);
    for (int k = 0; k < n; ++k) {
      size_t i = events[k].data.u64;
      if (closed[i]) continue;
      auto& s = sessions_[i];
      bool answered = false;
      // After answering closeSession the server closes the socket: EOF is expected here.
      bool alive = s.receive([&](const pipelined_session::completion& c) {
        if (c.request.opcode == jute::opcode::close_session) answered = true;
      });
      if (answered || !alive || s.eof()) {
        closed[i] = true;
        --remaining;
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s.fd(), nullptr);
      } else if (s.wants_write()) {
        (void)s.flush();
      }
    }
  }
  return sessions_.size() - remaining;
}

} // namespace paddock::bench
