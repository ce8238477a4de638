#include "tools/bench-zkc/phases.hpp"

#include "tools/bench/znodes.hpp"

namespace paddock::bench::zkc {

namespace {

constexpr uint64_t tag_measured = 1;

} // namespace

void failure_count::add(int rc) {
  int none = 0;
  first_.compare_exchange_strong(none, rc);
  count_.fetch_add(1);
}

// --- setup ---

setup_phase::setup_phase(const options& opt) : opt_(opt), value_(make_value(opt.value_size)) {}

bool setup_phase::next(size_t session, zk_request& out, clock::time_point) {
  if (!uses_keys(opt_.workload) || session % opt_.servers.size() != 0) return false;
  auto key = next_key_.fetch_add(1);
  if (key >= opt_.key_space) return false;
  out = zk_request{op::create, key_path(opt_, key), value_, 0};
  return true;
}

void setup_phase::done(size_t, const zk_reply& reply, clock::time_point) {
  if (reply.rc != ZOK && reply.rc != ZNODEEXISTS) failures_.add(reply.rc);
}

// --- measure ---

measure_phase::measure_phase(const options& opt, std::vector<int64_t> session_ids,
                             clock::time_point start)
    : opt_(opt), session_ids_(std::move(session_ids)), value_(make_value(opt.value_size)),
      warmup_end_(start + std::chrono::duration_cast<clock::duration>(
                              std::chrono::duration<double>(opt.warmup_s))),
      sessions_(session_ids_.size()) {
  if (opt.duration_s > 0)
    end_ = warmup_end_ + std::chrono::duration_cast<clock::duration>(
                             std::chrono::duration<double>(opt.duration_s));
  // One generator per session (each is driven from its own thread), seeded apart from
  // --seed: the same uniform choice of keys as paddock-bench's single generator.
  for (size_t i = 0; i < sessions_.size(); ++i) {
    sessions_[i].rng.seed(opt.seed * 1000003 + i);
    sessions_[i].last_reply = warmup_end_;
  }
}

bool measure_phase::next(size_t session, zk_request& out, clock::time_point now) {
  if (end_ && now >= *end_) return false;
  bool measured = now >= warmup_end_;
  if (measured && opt_.ops > 0 && measured_issued_.fetch_add(1) >= opt_.ops) return false;
  auto& s = sessions_[session];
  out.tag = measured ? tag_measured : 0;
  auto w = opt_.workload;
  if (w == workload::mixed) // 90% reads, 10% writes
    w = std::uniform_int_distribution<int>(0, 99)(s.rng) < 90 ? workload::get : workload::set;
  auto key = [&] { return std::uniform_int_distribution<size_t>(0, opt_.key_space - 1)(s.rng); };
  switch (w) {
  case workload::create:
    out.kind = op::create;
    out.path = created_path(opt_, session_ids_[session], s.created++);
    out.value = value_;
    break;
  case workload::get:
    out.kind = op::get;
    out.path = key_path(opt_, key());
    out.value = {};
    break;
  case workload::set:
  case workload::mixed:
    out.kind = op::set;
    out.path = key_path(opt_, key());
    out.value = value_;
    break;
  }
  return true;
}

void measure_phase::done(size_t session, const zk_reply& reply, clock::time_point now) {
  auto& s = sessions_[session];
  auto& r = s.figures;
  ++r.all_replies;
  if (now >= warmup_end_) ++s.window_ops;
  if (reply.rc != ZOK) {
    ++r.errors;
    ++r.errors_by_code[reply.rc];
  } else {
    // The minimal check the C API allows: what came back has the shape the request implies.
    bool ok = true;
    switch (reply.request.kind) {
    case op::get: ok = reply.has_stat && reply.length == static_cast<int>(opt_.value_size); break;
    case op::set: ok = reply.has_stat; break;
    case op::create: ok = reply.length > 0; break;
    case op::remove: break;
    }
    if (!ok) ++r.verify_failures;
  }
  if (reply.request.tag & tag_measured) {
    ++r.ops;
    r.latency.record(
        static_cast<uint64_t>(std::chrono::nanoseconds(now - reply.request.sent).count()));
    s.last_reply = now;
  }
}

uint64_t measure_phase::window_ops() const {
  uint64_t n = 0;
  for (const auto& s : sessions_)
    n += s.window_ops;
  return n;
}

results measure_phase::finish() {
  results all;
  auto last = warmup_end_;
  for (auto& s : sessions_) {
    const auto& r = s.figures;
    all.ops += r.ops;
    all.all_replies += r.all_replies;
    all.errors += r.errors;
    all.verify_failures += r.verify_failures;
    for (auto [code, count] : r.errors_by_code)
      all.errors_by_code[code] += count;
    all.latency.merge(r.latency);
    last = std::max(last, s.last_reply);
  }
  all.seconds = std::chrono::duration<double>(last - warmup_end_).count();
  return all;
}

std::vector<uint64_t> measure_phase::created() const {
  std::vector<uint64_t> out;
  for (const auto& s : sessions_)
    out.push_back(s.created);
  return out;
}

// --- cleanup ---

cleanup_phase::cleanup_phase(const options& opt, std::vector<int64_t> session_ids,
                             std::vector<uint64_t> created)
    : opt_(opt), session_ids_(std::move(session_ids)), created_(std::move(created)),
      deleted_(created_.size(), 0) {}

bool cleanup_phase::next(size_t session, zk_request& out, clock::time_point) {
  out.kind = op::remove;
  out.value = {};
  out.tag = 0;
  if (uses_keys(opt_.workload)) {
    auto key = next_key_.fetch_add(1);
    if (key < opt_.key_space) {
      out.path = key_path(opt_, key);
      return true;
    }
  }
  // Each session deletes the nodes it created itself.
  if (session >= created_.size() || deleted_[session] >= created_[session]) return false;
  out.path = created_path(opt_, session_ids_[session], deleted_[session]++);
  return true;
}

void cleanup_phase::done(size_t, const zk_reply& reply, clock::time_point) {
  if (reply.rc != ZOK && reply.rc != ZNONODE) failures_.add(reply.rc);
}

} // namespace paddock::bench::zkc
