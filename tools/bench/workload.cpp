#include "tools/bench/workload.hpp"

#include "protocol/bytes/byte_order.hpp"
#include "protocol/jute/error_code.hpp"

namespace paddock::bench {

namespace {

constexpr uint64_t tag_measured = 1;
// A Stat on the wire: 6 longs and 5 ints = 68 bytes (czxid, mzxid, ctime, mtime,
// version, cversion, aversion, ephemeralOwner, dataLength, numChildren, pzxid).
constexpr size_t stat_size = 68;

int32_t read_be32(std::span<const char> b) {
  return static_cast<int32_t>(bytes::load_be32(b.data()));
}

} // namespace

// --- setup ---

setup_phase::setup_phase(const options& opt) : opt_(opt), value_(make_value(opt.value_size)) {}

bool setup_phase::next(size_t index, outgoing& out, clock::time_point) {
  if (!uses_keys(opt_.workload) || next_key_ >= opt_.key_space) return false;
  // Only the sessions on the first server create keys (see workload.hpp).
  if (index % opt_.servers.size() != 0) return false;
  out.opcode = jute::opcode::create;
  out.body = jute::create_request{key_path(opt_, next_key_++), value_, jute::open_acl_unsafe(),
                                  jute::create_mode::persistent, -1};
  out.tag = 0;
  return true;
}

void setup_phase::done(size_t, const pipelined_session::completion& reply, clock::time_point) {
  auto err = reply.header.err;
  if (err == 0 || err == static_cast<int32_t>(jute::error_code::node_exists)) return;
  if (failures_++ == 0) first_error_ = err;
}

// --- measure ---

measure_phase::measure_phase(const options& opt, event_loop& loop, cpu_meter& cpu,
                             clock::time_point start)
    : opt_(opt), loop_(loop), cpu_(cpu), value_(make_value(opt.value_size)),
      warmup_end_(start + std::chrono::duration_cast<clock::duration>(
                              std::chrono::duration<double>(opt.warmup_s))),
      last_reply_(warmup_end_), created_(loop.size(), 0), rng_(opt.seed),
      key_dist_(0, opt.key_space == 0 ? 0 : opt.key_space - 1), percent_(0, 99) {
  if (opt.duration_s > 0)
    end_ = warmup_end_ + std::chrono::duration_cast<clock::duration>(
                             std::chrono::duration<double>(opt.duration_s));
}

void measure_phase::note_time(clock::time_point now) {
  if (!cpu_.started() && now >= warmup_end_) cpu_.start();
}

bool measure_phase::next(size_t index, outgoing& out, clock::time_point now) {
  note_time(now);
  if (end_ && now >= *end_) return false;
  bool measured = now >= warmup_end_;
  if (measured) {
    if (opt_.ops > 0 && measured_issued_ >= opt_.ops) return false;
    ++measured_issued_;
  }
  out.tag = measured ? tag_measured : 0;
  auto w = opt_.workload;
  if (w == workload::mixed)
    w = percent_(rng_) < 90 ? workload::get : workload::set; // 90% reads, 10% writes
  switch (w) {
  case workload::create:
    out.opcode = jute::opcode::create;
    out.body = jute::create_request{
        created_path(opt_, loop_.session(index).session_id(), created_[index]++), value_,
        jute::open_acl_unsafe(), jute::create_mode::persistent, -1};
    break;
  case workload::get:
    out.opcode = jute::opcode::get_data;
    out.body = jute::path_watch_request{key_path(opt_, key_dist_(rng_)), false};
    break;
  case workload::set:
  case workload::mixed:
    out.opcode = jute::opcode::set_data;
    out.body = jute::set_data_request{key_path(opt_, key_dist_(rng_)), value_, -1};
    break;
  }
  return true;
}

void measure_phase::done(size_t, const pipelined_session::completion& reply,
                         clock::time_point now) {
  note_time(now);
  ++results_.all_replies;
  if (cpu_.started()) ++window_ops_;
  if (reply.header.err != 0) {
    ++results_.errors;
    ++results_.errors_by_code[reply.header.err];
  } else {
    // Check the body is what this request implies, so a fast wrong answer never counts.
    bool ok = true;
    switch (reply.request.opcode) {
    case jute::opcode::get_data:
      ok = reply.body.size() == 4 + opt_.value_size + stat_size &&
           read_be32(reply.body) == static_cast<int32_t>(opt_.value_size);
      break;
    case jute::opcode::set_data: ok = reply.body.size() == stat_size; break;
    case jute::opcode::create:
      ok = reply.body.size() > 4 &&
           read_be32(reply.body) == static_cast<int32_t>(reply.body.size() - 4);
      break;
    }
    if (!ok) ++results_.verify_failures;
  }
  if (reply.request.tag & tag_measured) {
    ++results_.ops;
    results_.latency.record(
        static_cast<uint64_t>(std::chrono::nanoseconds(now - reply.request.sent).count()));
    last_reply_ = now;
  }
}

results measure_phase::finish() {
  results_.seconds = std::chrono::duration<double>(last_reply_ - warmup_end_).count();
  results_.cpu = cpu_.stop(window_ops_);
  return std::move(results_);
}

// --- cleanup ---

cleanup_phase::cleanup_phase(const options& opt, event_loop& loop, std::vector<uint64_t> created)
    : opt_(opt), loop_(loop), created_(std::move(created)) {}

bool cleanup_phase::next(size_t, outgoing& out, clock::time_point) {
  out.opcode = jute::opcode::remove;
  out.tag = 0;
  if (uses_keys(opt_.workload) && next_key_ < opt_.key_space) {
    out.body = jute::delete_request{key_path(opt_, next_key_++), -1};
    return true;
  }
  while (next_session_ < created_.size() && next_created_ >= created_[next_session_]) {
    ++next_session_;
    next_created_ = 0;
  }
  if (next_session_ >= created_.size()) return false;
  out.body = jute::delete_request{
      created_path(opt_, loop_.session(next_session_).session_id(), next_created_++), -1};
  return true;
}

void cleanup_phase::done(size_t, const pipelined_session::completion& reply, clock::time_point) {
  auto err = reply.header.err;
  if (err == 0 || err == static_cast<int32_t>(jute::error_code::no_node)) return;
  if (failures_++ == 0) first_error_ = err;
}

} // namespace paddock::bench
