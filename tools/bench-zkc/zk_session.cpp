#include "tools/bench-zkc/zk_session.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

namespace paddock::bench::zkc {

std::unique_ptr<zk_session> zk_session::start(const tools::endpoint& server, int timeout_ms,
                                              size_t index, std::string& error) {
  auto s = std::make_unique<zk_session>(index);
  // One server per handle: the C client then never moves the session elsewhere, so session
  // i stays on server i mod N as paddock-bench's do.
  auto host = tools::to_string(server);
  s->zh_ =
      zookeeper_init(host.c_str(), &zk_session::on_session_event, timeout_ms, nullptr, s.get(), 0);
  if (s->zh_ == nullptr) {
    error = "zookeeper_init(" + host + ") failed: " + std::strerror(errno);
    return nullptr;
  }
  return s;
}

zk_session::~zk_session() {
  close();
}

void zk_session::close() {
  zhandle_t* zh = nullptr;
  {
    std::lock_guard lock(mu_);
    // Completions that zookeeper_close flushes (ZCLOSING) must not reach a finished phase.
    phase_ = nullptr;
    exhausted_ = true;
    zh = std::exchange(zh_, nullptr);
  }
  if (zh != nullptr) zookeeper_close(zh);
}

void zk_session::on_session_event(zhandle_t*, int type, int state, const char*, void* ctx) {
  if (type != ZOO_SESSION_EVENT) return;
  auto* self = static_cast<zk_session*>(ctx);
  std::lock_guard lock(self->mu_);
  if (state == ZOO_CONNECTED_STATE) self->connected_ = true;
  if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) self->expired_ = true;
  self->connected_cv_.notify_all();
}

bool zk_session::wait_connected(clock::time_point deadline) {
  std::unique_lock lock(mu_);
  connected_cv_.wait_until(lock, deadline, [&] { return connected_ || expired_; });
  return connected_ && !expired_;
}

int64_t zk_session::session_id() const {
  std::lock_guard lock(mu_);
  if (zh_ == nullptr) return 0;
  const clientid_t* id = zoo_client_id(zh_);
  return id != nullptr ? id->client_id : 0;
}

void zk_session::begin(zk_phase& p, size_t max_outstanding) {
  std::lock_guard lock(mu_);
  phase_ = &p;
  max_outstanding_ = max_outstanding;
  exhausted_ = zh_ == nullptr;
  pump_locked(clock::now());
}

void zk_session::detach() {
  std::lock_guard lock(mu_);
  phase_ = nullptr;
  exhausted_ = true;
}

bool zk_session::idle() const {
  std::lock_guard lock(mu_);
  return exhausted_ && in_flight_.empty();
}

size_t zk_session::outstanding() const {
  std::lock_guard lock(mu_);
  return in_flight_.size();
}

std::string zk_session::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

int zk_session::issue(const zk_request& r, const in_flight* slot) {
  // The C client serializes path and value into its request buffer before returning.
  const char* path = r.path.c_str();
  const auto len = static_cast<int>(r.value.size());
  switch (r.kind) {
  case op::create:
    return zoo_acreate(zh_, path, r.value.data(), len, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT,
                       &zk_session::on_string, slot);
  case op::remove: return zoo_adelete(zh_, path, -1, &zk_session::on_void, slot);
  case op::set: return zoo_aset(zh_, path, r.value.data(), len, -1, &zk_session::on_stat, slot);
  case op::get: return zoo_aget(zh_, path, 0, &zk_session::on_data, slot);
  }
  return ZBADARGUMENTS;
}

void zk_session::pump_locked(clock::time_point now) {
  zk_request r;
  while (!exhausted_ && phase_ != nullptr && in_flight_.size() < max_outstanding_) {
    if (!phase_->next(index_, r, now)) {
      exhausted_ = true;
      break;
    }
    // deque::push_back keeps every other element where it is: the slot's address is the
    // completion's `data` and stays valid until its completion pops it.
    in_flight_.push_back(in_flight{this, r.kind, now, r.tag});
    int rc = issue(r, &in_flight_.back());
    if (rc != ZOK) {
      // Not sent (an expired session, a closing handle): the phase counts it as an error,
      // and this session stops, or it would spin on failures.
      in_flight failed = in_flight_.back();
      in_flight_.pop_back();
      exhausted_ = true;
      if (error_.empty()) error_ = std::string("request not issued: ") + zerror(rc);
      phase_->done(index_, zk_reply{failed, rc, 0, false}, now);
    }
  }
}

void zk_session::complete(const void* data, int rc, int length, bool has_stat) {
  auto now = clock::now();
  std::lock_guard lock(mu_);
  replies_.fetch_add(1, std::memory_order_relaxed);
  if (in_flight_.empty() || &in_flight_.front() != data) {
    if (error_.empty()) error_ = "a completion for a request other than the oldest in flight";
    exhausted_ = true;
    return;
  }
  in_flight done = in_flight_.front();
  in_flight_.pop_front();
  if (phase_ == nullptr) return;
  phase_->done(index_, zk_reply{done, rc, length, has_stat}, now);
  pump_locked(now);
}

void zk_session::on_void(int rc, const void* data) {
  static_cast<const in_flight*>(data)->owner->complete(data, rc, 0, false);
}

void zk_session::on_stat(int rc, const struct Stat* stat, const void* data) {
  static_cast<const in_flight*>(data)->owner->complete(data, rc, 0, stat != nullptr);
}

void zk_session::on_data(int rc, const char*, int value_len, const struct Stat* stat,
                         const void* data) {
  static_cast<const in_flight*>(data)->owner->complete(data, rc, value_len, stat != nullptr);
}

void zk_session::on_string(int rc, const char* value, const void* data) {
  int length = value != nullptr ? static_cast<int>(std::strlen(value)) : -1;
  static_cast<const in_flight*>(data)->owner->complete(data, rc, length, false);
}

} // namespace paddock::bench::zkc
