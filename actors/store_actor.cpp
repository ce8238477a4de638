#include "actors/store_actor.hpp"

#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/ensemble_wire.hpp"
#include "actors/messages/sessions.hpp"
#include "actors/messages/store.hpp"
#include "protocol/jute/codec.hpp"
#include "store/disk/crc32c.hpp"
#include "store/disk/received_snapshot.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/snapshot.hpp"
#include "store/disk/snapshot_stream.hpp"
#include "store/requests/request_processor.hpp"
#include "store/tree/container_sweeper.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <span>
#include <spdlog/spdlog.h>
#include <utility>

namespace paddock::actors {

namespace {

using self_ptr = store_handle::stateful_pointer<store_state>;

// A learner's tree disagrees with its leader's: the first time, an ERROR line naming the first
// txn after which the digests differ, and the quorum peer leaves its leader to come back synced
// by SNAP; every differing entry counts.
void digest_mismatched(self_ptr self, const store::digest_mismatch& m, uint64_t count = 1) {
  auto& st = self->state;
  st.ctx->stats->digest_mismatches.fetch_add(count, std::memory_order_relaxed);
  if (st.resync_asked) {
    spdlog::debug("digest mismatch after zxid 0x{:x} (leader {}, this server {}); a resync is "
                  "already under way",
                  m.zxid, m.leader_digest, m.own_digest);
    return;
  }
  st.resync_asked = true;
  spdlog::error("digest mismatch after zxid 0x{:x}: the leader's tree digest is {}, this "
                "server's is {}; this server's data differs from the leader's, resyncing from "
                "the leader by SNAP",
                m.zxid, m.leader_digest, m.own_digest);
  if (st.ctx->quorum_peer) self->send(st.ctx->quorum_peer, digest_mismatch_atom::value, m.zxid);
}

// Ensemble leader (commit_batch::report_digests): the digest after every txn applied since
// the previous report goes to the quorum peer, which sends it on to every learner. At most
// one report per digest_report_interval: a message per commit batch costs, under load, as
// much as the digests themselves (measured: docs/benchmarks.md), while one every 100 ms
// carrying every txn's digest catches a divergence at the txn that caused it, a little
// later. A batch inside the interval is reported when it ends (a timer), so the last change
// before a quiet spell is checked too.
constexpr int64_t digest_report_interval_ms = 100;

void report_digest(self_ptr self) {
  auto& st = self->state;
  if (!st.ctx->quorum_peer || !st.reporting_digests || st.digest_report_timer) return;
  if (!st.tree.digest() || st.tree.last_zxid() == st.reported_zxid) return;
  const int64_t now = st.ctx->clock->monotonic_ms();
  if (const int64_t wait = st.last_report_ms + digest_report_interval_ms - now; wait > 0) {
    st.digest_report_timer = true;
    self->delayed_send(self, std::chrono::milliseconds(wait), digest_due_atom::value);
    return;
  }
  auto report = st.digests.since(st.reported_zxid);
  if (report.dropped_oldest)
    spdlog::debug("digest report: more than {} txns since zxid 0x{:x}, the oldest are not "
                  "reported",
                  store::digest_log::recent_limit, st.reported_zxid);
  st.last_report_ms = now;
  st.reported_zxid = st.tree.last_zxid();
  if (report.entries.empty()) return; // the tree was replaced since: nothing applied here
  self->send(st.ctx->quorum_peer, digest_report_atom::value, std::move(report.entries));
}

// Fault injection (corrupt_atom): this setData is applied with other data than the txn's,
// so this server's tree differs from every other's from now on.
const store::txn& maybe_corrupt(store_state& st, const store::txn& t, store::txn& scratch) {
  if (!st.corrupt_next_set_data || t.type != jute::opcode::set_data || t.ops.size() != 1) return t;
  st.corrupt_next_set_data = false;
  scratch = t;
  std::get<jute::set_data_request>(scratch.ops.front().body).data += "~corrupted";
  spdlog::warn("fault injection: zxid 0x{:x} (setData) applied with other data than its txn's",
               t.zxid);
  return scratch;
}

void apply_commit(self_ptr self, commit& c) {
  auto& st = self->state;
  applied a;
  a.opcode = c.txn.type;
  if (c.failed) {
    // Never applied: the origin learns it from an error in its place among the replies.
    a.zxid = st.tree.last_zxid();
    a.failed = true;
    if (c.from.session && c.txn.type != jute::opcode::create_session)
      jute::encode_reply(a.reply,
                         jute::reply_header{c.from.xid, a.zxid,
                                            static_cast<int32_t>(jute::error_code::system_error)});
  } else {
    store::txn scratch;
    auto result = st.tree.apply(maybe_corrupt(st, c.txn, scratch));
    // With digests off the history still lists the zxids, each with 0, as ZooKeeper's hash
    // does then; nothing is compared (no leader's report is taken).
    if (auto m = st.digests.applied(st.tree.last_zxid(), st.tree.digest().value_or(0)))
      digest_mismatched(self, *m);
    for (const auto& w : result.warnings)
      spdlog::warn("{}", w);
    st.ctx->stats->last_applied_zxid.store(st.tree.last_zxid(), std::memory_order_relaxed);
    // In an ensemble a session may be created or closed by any server: every server's
    // tracker learns of it here, so a client can resume its session on any of them. And a
    // tracker forgets a closed session only here, when its close is applied (standalone too).
    if (result.err == jute::error_code::ok) {
      // A standalone tracker made the session itself: nothing to tell it.
      if (c.txn.type == jute::opcode::create_session && st.ctx->config.is_ensemble())
        self->send(st.ctx->tracker, session_up_atom::value, c.txn.session_id,
                   c.txn.session_timeout_ms, c.txn.session_passwd);
      else if (c.txn.type == jute::opcode::close_session)
        self->send(st.ctx->tracker, session_down_atom::value, c.txn.session_id);
    }
    a.zxid = c.txn.zxid;
    a.triggers = std::move(result.triggers);
    if (c.from.session && c.txn.type != jute::opcode::create_session)
      store::encode_write_reply(a.reply, c.from.xid, c.txn.type, result, c.txn.zxid);
  }
  a.from = std::move(c.from);
  self->send(st.ctx->watch_manager, std::move(a));
}

// A slice of a snapshot in progress ends after this long (or this many bytes), whichever
// comes first: commits queued behind it wait at most about that long.
constexpr size_t snapshot_nodes_per_step = 256;
constexpr int64_t snapshot_slice_us = 500;
constexpr size_t snapshot_slice_bytes = 1 << 20;
constexpr int64_t snapshot_pause_us = 3000;
// Flow control: no new slice while the snapshotter has more than this many bytes unwritten.
constexpr uint64_t snapshot_unacked_limit = 8 << 20;

// The next slice, a pause after this one. Not a plain send to itself: an actor keeps
// handling its own mailbox for up to scheduler.max-throughput (100) messages per turn, so
// slice after slice would hold the thread (with two cores, the one thread every actor and
// socket runs on) for 100 ms. Through the clock, the message comes after this turn, and the
// pause keeps the snapshot to about a seventh of the thread's time (measured:
// docs/benchmarks.md, issue 14): a million znodes take a few seconds.
void next_slice_later(self_ptr self) {
  self->delayed_send(self, std::chrono::microseconds(snapshot_pause_us), snapshot_next_atom::value);
}

void take_snapshot(self_ptr self) {
  auto& st = self->state;
  if (st.snapshot_running) {
    spdlog::warn("snapshot requested while the previous one is still being written; skipped");
    return;
  }
  if (st.learner) {
    spdlog::warn("snapshot requested while one for a learner is being produced; skipped");
    return;
  }
  st.snapshot = std::make_unique<store::snapshot_stream>(st.tree);
  st.snapshot_running = true;
  st.snapshot_zxid = st.snapshot->zxid();
  st.snapshot_first_slice = true;
  st.snapshot_waiting = false;
  spdlog::info("snapshot of zxid 0x{:x} started (copy-on-write, serialized in slices between "
               "commits)",
               st.snapshot->zxid());
  next_slice_later(self);
}

// The backups waiting for the snapshot of `zxid` learn its file, or why there is none.
void answer_backups(self_ptr self, int64_t zxid, bool ok, const std::string& why = {}) {
  auto& st = self->state;
  const auto path = st.ctx->config.snap_dir() + "/" + store::snapshot_name(zxid);
  for (auto& rp : std::exchange(st.backup_requests, {})) {
    if (ok)
      rp.deliver(zxid, path);
    else
      rp.deliver(caf::make_error(caf::sec::runtime_error,
                                 why.empty() ? "the snapshot failed (see the server's log)" : why));
  }
}

// A backup: the snapshot being written when it came, else a new one (after a learner's SNAP
// in production, if one is).
void start_backup_snapshot(self_ptr self) {
  auto& st = self->state;
  if (!st.backup_requests.empty() && !st.snapshot_running && !st.learner) take_snapshot(self);
}

// A learner's SNAP stream (leader) ---------------------------------------------------------
// Pieces as the wire carries them; a stream nobody pulls from for this long is dropped (its
// learner's link broke and peer_links' release was lost, or the core never used it).
constexpr size_t learner_piece_bytes = snap_chunk_bytes;
constexpr int64_t learner_stream_idle_ms = 60'000;

// The next request in line gets its image, unless the disk snapshot or another stream holds
// the tree's copy-on-write snapshot (then when that ends).
void start_learner_snapshot(self_ptr self) {
  auto& st = self->state;
  if (st.snapshot || st.learner || st.learner_snapshot_requests.empty()) return;
  auto rp = std::move(st.learner_snapshot_requests.front());
  st.learner_snapshot_requests.pop_front();
  auto& ls = st.learner.emplace();
  ls.id = ++st.next_learner_stream;
  ls.image = std::make_unique<store::snapshot_stream>(st.tree);
  ls.started_ms = ls.last_pull_ms = st.ctx->clock->monotonic_ms();
  spdlog::info("SNAP stream {} of zxid 0x{:x} begun (copy-on-write; produced as the learner "
               "takes it)",
               ls.id, ls.image->zxid());
  rp.deliver(ls.image->zxid(), ls.id);
  self->delayed_send(self, std::chrono::milliseconds(learner_stream_idle_ms), snap_idle_atom::value,
                     ls.id);
}

// The stream ends (whole, abandoned or failed): the tree's snapshot is released and what
// waited for it starts.
void end_learner_stream(self_ptr self, const std::string& why = {}) {
  auto& st = self->state;
  auto& ls = *st.learner;
  if (ls.image) st.tree.end_snapshot(); // produced whole, the stream released it already
  if (ls.pull)
    ls.pull->deliver(
        caf::make_error(caf::sec::runtime_error, why.empty() ? "the SNAP stream ended" : why));
  if (!why.empty())
    spdlog::warn("SNAP stream {} abandoned after {} bytes: {}", ls.id, ls.handed_out, why);
  st.learner.reset();
  start_learner_snapshot(self);
  start_backup_snapshot(self); // one that waited for this SNAP
}

// Answers the pending pull when a piece is ready: snap_chunk bytes, or what is left.
bool answer_pull(self_ptr self) {
  auto& ls = *self->state.learner;
  if (!ls.pull) return false;
  const bool produced_all = ls.image == nullptr;
  if (ls.buffer.size() < learner_piece_bytes && !produced_all) return false;
  snap_piece piece;
  const size_t n = std::min(ls.buffer.size(), learner_piece_bytes);
  // The piece takes the buffer; only what was serialized beyond it is copied back.
  piece.bytes = std::move(ls.buffer);
  ls.buffer.assign(piece.bytes, n);
  piece.bytes.resize(n);
  ls.crc = store::crc32c_extend(ls.crc, std::span<const char>(piece.bytes.data(), n));
  ls.handed_out += n;
  piece.last = produced_all && ls.buffer.empty();
  piece.total = ls.handed_out;
  piece.crc = ls.crc;
  const bool last = piece.last;
  auto rp = std::move(*ls.pull);
  ls.pull.reset();
  rp.deliver(std::move(piece));
  if (last) {
    spdlog::info("SNAP stream {} produced: {} bytes in {} ms", ls.id, ls.handed_out,
                 self->state.ctx->clock->monotonic_ms() - ls.started_ms);
    end_learner_stream(self);
  }
  return true;
}

// One slice (~0.5 ms) of the learner's image, while a piece is asked for; then the piece if
// it is ready, or the next slice after the pause (commits run in between).
void learner_snapshot_step(self_ptr self) {
  auto& st = self->state;
  auto& ls = *st.learner;
  ls.slice_due = false;
  if (!ls.pull || !ls.image) return;
  const int64_t start_us = st.ctx->clock->monotonic_us();
  do {
    if (auto status = ls.image->next(st.tree, snapshot_nodes_per_step, ls.buffer); !status.ok())
      return end_learner_stream(self, "serialize snapshot: " + status.message);
    if (ls.image->done()) ls.image.reset(); // the stream ended the tree's snapshot itself
  } while (ls.image && ls.buffer.size() < learner_piece_bytes &&
           st.ctx->clock->monotonic_us() - start_us < snapshot_slice_us);
  if (answer_pull(self)) return;
  ls.slice_due = true;
  next_slice_later(self);
}

// peer_links asks for the next piece (its window to the learner has room).
void pull_learner_piece(self_ptr self, uint64_t stream,
                        caf::typed_response_promise<snap_piece> rp) {
  auto& st = self->state;
  if (!st.learner || st.learner->id != stream) {
    rp.deliver(caf::make_error(caf::sec::runtime_error, "no such SNAP stream"));
    return;
  }
  auto& ls = *st.learner;
  ls.last_pull_ms = st.ctx->clock->monotonic_ms();
  ls.pull = std::move(rp);
  if (answer_pull(self) || ls.slice_due) return;
  ls.slice_due = true;
  // The first piece at once; later ones after the pause, like every slice.
  if (ls.handed_out == 0)
    self->send(self, snapshot_next_atom::value);
  else
    next_slice_later(self);
}

// One slice of the snapshot in progress, handed to the snapshotter; the next one is queued
// behind whatever arrived meanwhile (commits first), or waits for the snapshotter's acks.
void snapshot_step(self_ptr self) {
  auto& st = self->state;
  if (!st.snapshot) {
    if (st.learner && st.learner->slice_due) learner_snapshot_step(self);
    return;
  }
  if (st.snapshot_unacked > snapshot_unacked_limit) {
    st.snapshot_waiting = true; // the next ack resumes
    return;
  }
  const int64_t start_us = st.ctx->clock->monotonic_us();
  snapshot_slice slice;
  slice.zxid = st.snapshot->zxid();
  slice.first = std::exchange(st.snapshot_first_slice, false);
  do {
    if (auto status = st.snapshot->next(st.tree, snapshot_nodes_per_step, slice.bytes);
        !status.ok()) {
      spdlog::error("snapshot of zxid 0x{:x} failed ({}); recovery keeps using the previous "
                    "snapshot and the log",
                    slice.zxid, status.message);
      st.tree.end_snapshot();
      st.snapshot.reset();
      st.snapshot_running = false;
      slice.abandon = true;
      answer_backups(self, slice.zxid, false, "serializing the snapshot failed: " + status.message);
      break;
    }
  } while (!st.snapshot->done() && slice.bytes.size() < snapshot_slice_bytes &&
           st.ctx->clock->monotonic_us() - start_us < snapshot_slice_us);
  if (st.snapshot && st.snapshot->done()) {
    slice.last = true;
    st.snapshot.reset();
  }
  st.snapshot_unacked += slice.bytes.size();
  const bool more = st.snapshot != nullptr;
  self->send(st.ctx->snapshotter, std::move(slice));
  if (more)
    next_slice_later(self);
  else
    start_learner_snapshot(self); // requests that waited for this one
}

// The tree under a snapshot in progress is being replaced: that snapshot is dropped (the
// replacement is durable on its own: a snapshot from the leader, or what is on disk).
void abandon_snapshots(self_ptr self) {
  auto& st = self->state;
  if (st.learner) end_learner_stream(self, "the tree was replaced");
  if (!st.snapshot) return;
  snapshot_slice slice;
  slice.zxid = st.snapshot->zxid();
  slice.abandon = true;
  st.tree.end_snapshot();
  st.snapshot.reset();
  st.snapshot_running = false;
  answer_backups(self, slice.zxid, false, "the tree was replaced (a sync with the leader)");
  if (!st.snapshot_first_slice) self->send(st.ctx->snapshotter, std::move(slice));
}

// The tree was replaced (a snapshot from the leader, or a reload after TRUNC): the tracker
// takes the sessions it now holds.
void tree_replaced(self_ptr self) {
  auto& st = self->state;
  st.ctx->stats->last_applied_zxid.store(st.tree.last_zxid(), std::memory_order_relaxed);
  st.digests.tree_replaced(st.tree.last_zxid());
  st.resync_asked = false;
  session_list list;
  for (const auto& e : st.tree.sessions())
    list.sessions.push_back(e);
  self->send(st.ctx->tracker, std::move(list));
}

} // namespace

store_handle::behavior_type store_actor(self_ptr self, context_ptr ctx,
                                        std::shared_ptr<store::data_tree> recovered) {
  self->state.ctx = std::move(ctx);
  if (recovered) self->state.tree = std::move(*recovered);
  // The leader's digests of txns before this tree's zxid are not this server's to compare.
  self->state.digests.tree_replaced(self->state.tree.last_zxid());
  self->state.ctx->stats->last_applied_zxid.store(self->state.tree.last_zxid(),
                                                  std::memory_order_relaxed);
  return {
      [=](commit_batch& b) {
        auto& st = self->state;
        metrics::record_mailbox_depth(self, st.ctx->metrics->mailbox_depth.store);
        // A new leadership reports from its first commit on: what this server applied as a
        // learner is not its learners' to compare (and could be a 65,536-entry report). A
        // batch of refused writes only (nothing applied) says nothing of the role.
        const bool applies = std::any_of(b.commits.begin(), b.commits.end(),
                                         [](const commit& c) { return !c.failed; });
        if (applies) {
          if (b.report_digests && !st.reporting_digests) st.reported_zxid = st.tree.last_zxid();
          st.reporting_digests = b.report_digests;
        }
        for (auto& c : b.commits)
          apply_commit(self, c);
        report_digest(self);
      },
      [=](digest_due_atom) {
        self->state.digest_report_timer = false;
        report_digest(self);
      },
      // Learner: the leader's digest after each txn since its previous report, each compared
      // once this tree is there too.
      [=](digest_check_atom, const std::vector<std::pair<int64_t, int64_t>>& entries) {
        auto& st = self->state;
        if (!st.tree.digest()) return; // digest.enabled=false here
        auto c = st.digests.leader_digests(entries);
        if (c.first) digest_mismatched(self, *c.first, c.mismatches);
      },
      [=](hash_atom) {
        const auto& h = self->state.digests.history();
        return std::vector<std::pair<int64_t, int64_t>>(h.begin(), h.end());
      },
      [=](corrupt_atom) {
        self->state.corrupt_next_set_data = true;
        return true;
      },
      [=](snapshot_atom) { take_snapshot(self); },
      // The sweeper: containers and TTL znodes due at `now_ms`, read in the store's order.
      [=](sweep_atom, int64_t now_ms, uint64_t limit) -> std::vector<std::string> {
        return store::sweep_candidates(self->state.tree, now_ms, static_cast<size_t>(limit));
      },
      // Leader, syncing a learner by SNAP: the tree at the zxid where a copy-on-write
      // snapshot begins (at once, or once the disk snapshot or stream before it is done),
      // named by a stream number; its bytes are produced as peer_links pulls them.
      [=](take_snap_atom) -> caf::result<int64_t, uint64_t> {
        auto rp = self->make_response_promise<int64_t, uint64_t>();
        self->state.learner_snapshot_requests.push_back(rp);
        start_learner_snapshot(self);
        return rp;
      },
      [=](snap_pull_atom, uint64_t stream) -> caf::result<snap_piece> {
        auto rp = self->make_response_promise<snap_piece>();
        pull_learner_piece(self, stream, rp);
        return rp;
      },
      // peer_links gave the stream up (the learner's link broke, or it refused the image).
      [=](snap_release_atom, uint64_t stream) {
        if (self->state.learner && self->state.learner->id == stream)
          end_learner_stream(self, "released (the learner's link broke or the core dropped it)");
      },
      [=](snap_idle_atom, uint64_t stream) {
        auto& st = self->state;
        if (!st.learner || st.learner->id != stream) return;
        const int64_t idle = st.ctx->clock->monotonic_ms() - st.learner->last_pull_ms;
        if (!st.learner->pull && idle >= learner_stream_idle_ms)
          return end_learner_stream(self, "no piece asked for in " + std::to_string(idle) + " ms");
        self->delayed_send(self, std::chrono::milliseconds(learner_stream_idle_ms),
                           snap_idle_atom::value, stream);
      },
      // Learner, synced by SNAP: the leader's image, received into a file
      // (store/disk/received_snapshot.hpp), replaces the tree, made this server's snapshot
      // first.
      [=](install_atom, int64_t zxid) -> caf::result<bool, std::string> {
        auto& st = self->state;
        const int64_t start_ms = st.ctx->clock->monotonic_ms();
        store::data_tree tree;
        auto status =
            store::install_received_snapshot(*st.ctx->disk, st.ctx->config.snap_dir(), zxid, tree);
        if (!status.ok()) return {false, status.message};
        abandon_snapshots(self);
        st.tree = std::move(tree);
        tree_replaced(self);
        spdlog::info("installed the leader's snapshot of zxid 0x{:x} ({} znodes) in {} ms", zxid,
                     st.tree.node_count(), st.ctx->clock->monotonic_ms() - start_ms);
        return {true, std::string{}};
      },
      // Learner, after TRUNC below what the tree holds: rebuild it from what is on disk.
      [=](reload_atom, int64_t zxid) -> caf::result<bool, std::string> {
        auto& st = self->state;
        auto r = store::recover_to(*st.ctx->disk, st.ctx->config.snap_dir(),
                                   st.ctx->config.log_dir(), zxid);
        for (const auto& w : r.warnings)
          spdlog::warn("TRUNC to 0x{:x}: {}", zxid, w);
        if (!r.status.ok()) return {false, r.status.message};
        abandon_snapshots(self);
        st.tree = std::move(r.tree);
        tree_replaced(self);
        spdlog::info("reloaded the tree from disk after a truncation: zxid 0x{:x}",
                     st.tree.last_zxid());
        return {true, std::string{}};
      },
      [=](snapshot_next_atom) { snapshot_step(self); },
      [=](snapshot_ack_atom, uint64_t bytes) {
        auto& st = self->state;
        st.snapshot_unacked -= std::min(bytes, st.snapshot_unacked);
        if (st.snapshot_waiting && st.snapshot_unacked <= snapshot_unacked_limit) {
          st.snapshot_waiting = false;
          snapshot_step(self);
        }
      },
      [=](snapshot_done_atom, int64_t zxid, bool ok) {
        auto& st = self->state;
        if (!ok && st.snapshot && st.snapshot->zxid() == zxid) { // the writer gave up
          st.tree.end_snapshot();
          st.snapshot.reset();
          start_learner_snapshot(self);
        }
        if (!st.snapshot && zxid == st.snapshot_zxid) {
          st.snapshot_running = false;
          answer_backups(self, zxid, ok);
        }
      },
      [=](backup_atom) -> caf::result<int64_t, std::string> {
        auto rp = self->make_response_promise<int64_t, std::string>();
        self->state.backup_requests.push_back(rp);
        start_backup_snapshot(self);
        return rp;
      },
      // A configuration was activated: /zookeeper/config shows it, and its watchers hear of
      // it, in the store's order with everything else.
      [=](config_node_atom, const std::string& data, int64_t version) {
        auto& s = self->state;
        applied a;
        a.opcode = jute::opcode::reconfig;
        a.zxid = s.tree.last_zxid();
        a.triggers = s.tree.set_config_node(data, version, s.ctx->clock->wall_ms());
        self->send(s.ctx->watch_manager, std::move(a));
      },
      // Replies leave through the watch manager, in order behind this.
      [=](drain_atom d) -> caf::delegated<bool> {
        return self->delegate(self->state.ctx->watch_manager, d);
      },
      [=](reconfig_right& r) -> bool {
        const auto auth = r.auth ? std::span<const jute::id>(*r.auth) : std::span<const jute::id>{};
        return self->state.tree.check_access(store::data_tree::config_node, jute::perms::write,
                                             auth) == jute::error_code::ok;
      },
      [=](sync_request& s) {
        // Every write before this sync has been applied: answer it in the same stream.
        auto& st = self->state;
        applied a;
        a.zxid = st.tree.last_zxid();
        a.opcode = jute::opcode::sync;
        store::encode_sync_reply(a.reply, s.from.xid, a.zxid, s.path);
        a.from = std::move(s.from);
        self->send(st.ctx->watch_manager, std::move(a));
      },
      [=](read_request& r) {
        auto& st = self->state;
        metrics::record_mailbox_depth(self, st.ctx->metrics->mailbox_depth.store);
        read_done d;
        store::watch_registration reg;
        std::span<const jute::id> auth;
        if (r.auth) auth = *r.auth;
        if (store::watch_query q; store::to_watch_query(r.request, q))
          d.query = std::move(q); // the watch manager holds the watches: it answers
        else
          store::execute_read(st.tree, r.request, r.session_id, auth, d.reply, reg);
        if (reg.kind != store::watch_kind::none) d.registrations.push_back(std::move(reg));
        d.zxid = st.tree.last_zxid();
        d.watcher = r.watcher;
        d.session_id = r.session_id;
        d.auth = std::move(r.auth);
        d.from = std::move(r.from);
        self->send(st.ctx->watch_manager, std::move(d));
      },
      [=](set_watches_request& r) {
        auto& st = self->state;
        auto outcome = store::evaluate_set_watches(st.tree, r.request);
        read_done d;
        jute::encode_reply(d.reply,
                           jute::reply_header{jute::xid::set_watches, st.tree.last_zxid(), 0});
        d.registrations = std::move(outcome.register_now);
        d.fire_now = std::move(outcome.fire_now);
        d.zxid = st.tree.last_zxid();
        d.watcher = r.watcher;
        d.session_id = r.session_id;
        d.auth = std::move(r.auth);
        d.from = std::move(r.from);
        self->send(st.ctx->watch_manager, std::move(d));
      },
      [=](dump_atom) {
        // Sessions with ephemeral znodes, by id, as ZooKeeper's DataTree.getEphemerals.
        std::vector<std::pair<int64_t, std::vector<std::string>>> out;
        for (const auto& s : self->state.tree.sessions())
          if (auto paths = self->state.tree.ephemerals_of(s.id); !paths.empty())
            out.emplace_back(s.id, std::move(paths));
        std::sort(out.begin(), out.end());
        return out;
      },
      [=](stats_atom) -> tree_stats {
        const auto& t = self->state.tree;
        return tree_stats{t.last_zxid(),
                          t.digest(),
                          t.zookeeper_node_count(),
                          t.ephemeral_count(),
                          t.approximate_data_size(),
                          t.session_count()};
      },
  };
}

} // namespace paddock::actors
