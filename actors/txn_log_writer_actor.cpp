#include "actors/txn_log_writer_actor.hpp"

#include "actors/messages/store.hpp"
#include "store/disk/log_format.hpp"
#include "store/disk/log_truncate.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace paddock::actors {

namespace {

using self_ptr = txn_log_writer_handle::stateful_pointer<txn_log_writer_state>;

void choose_roll_point(txn_log_writer_state& st) {
  // ZooKeeper: logCount > snapCount / 2 + randRoll, randRoll in [0, snapCount / 2), so that
  // the servers of an ensemble do not all snapshot at the same moment.
  auto half = std::max<int64_t>(1, st.ctx->config.snap_count / 2);
  st.roll_after = half + static_cast<int64_t>(st.random() % static_cast<uint64_t>(half));
}

// ZooKeeper's warning, word for word (log alerts match it), over fsync.warningthresholdms.
// Compared in microseconds so that a threshold of 0 reports every fsync that took any time.
void warn_if_slow(const txn_log_writer_state& st, int64_t sync_us) {
  if (sync_us <= st.ctx->config.fsync_warning_threshold_ms * 1000) return;
  spdlog::warn("fsync-ing the write ahead log in txn-log-writer took {}ms which will adversely "
               "effect operation latency.File size is {} bytes. See the ZooKeeper "
               "troubleshooting guide",
               sync_us / 1000, st.log->durable_end());
}

void fail_batch(self_ptr self, const store::io_status& status) {
  auto& st = self->state;
  spdlog::error("txn log: {}; the {} writes of this batch fail and nothing after zxid 0x{:x} "
                "is acknowledged",
                status.message, st.batch_last - st.batch_first + 1, st.durable_zxid);
  self->send(st.ctx->pipeline, log_failed{st.generation, st.durable_zxid, status.message});
  ++st.generation;
  st.batch.clear();
  st.batch_first = st.batch_last = 0;
  st.batch_records = 0;
}

void write_batch(self_ptr self) {
  auto& st = self->state;
  if (st.batch_first == 0) return;
  if (st.roll_next || !st.log->has_segment()) {
    if (auto status = st.log->start_segment(st.batch_first); !status.ok()) {
      if (status.fatal) {
        spdlog::critical("txn log: {}; stopping (what is on disk is recovered at the next "
                         "start)",
                         status.message);
        self->quit(caf::exit_reason::user_shutdown);
        return;
      }
      fail_batch(self, status);
      return;
    }
    st.roll_next = false;
  }
  auto status = st.log->write(st.batch);
  if (status.ok()) {
    auto& metrics = *st.ctx->metrics;
    const int64_t started_us = st.ctx->clock->monotonic_us();
    status = st.log->sync();
    const int64_t sync_us = st.ctx->clock->monotonic_us() - started_us;
    warn_if_slow(st, sync_us);
    // ZooKeeper's fsynctime (ms) and sync_processor_batch_size (txns per fsync).
    metrics.fsynctime.Observe(static_cast<double>(sync_us) / 1000.0);
    metrics.sync_processor_batch_size.Observe(static_cast<double>(st.batch_records));
  }
  if (status.fatal) {
    // Never retried: after a failed fsync the kernel may have dropped the pages, and a second
    // fsync could "succeed" without them. Recovery at the next start reads the truth.
    spdlog::critical("txn log: {}; stopping without acknowledging the {} writes waiting",
                     status.message, st.batch_last - st.batch_first + 1);
    self->quit(caf::exit_reason::user_shutdown);
    return;
  }
  if (!status.ok()) {
    fail_batch(self, status);
    return;
  }
  st.in_segment += st.batch_last - st.batch_first + 1;
  st.durable_zxid = st.batch_last;
  self->send(st.ctx->pipeline, logged{st.generation, st.batch_last});
  st.batch.clear();
  st.batch_first = st.batch_last = 0;
  st.batch_records = 0;
  if (st.in_segment > st.roll_after) {
    st.roll_next = true;
    st.in_segment = 0;
    choose_roll_point(st);
    self->send(st.ctx->store, snapshot_atom::value);
  }
}

// Adds one record to the batch the next flush writes.
void take_append(self_ptr self, const log_append& a) {
  auto& s = self->state;
  if (a.generation != s.generation) return; // stamped before a failure: already failed
  if (s.batch_first == 0) {
    s.batch_first = a.zxid;
    self->send(self, flush_atom::value); // runs after everything queued before it
  }
  s.batch_last = a.zxid;
  ++s.batch_records;
  store::log_format::append_record(s.batch, a.zxid, a.body.view());
}

} // namespace

txn_log_writer_handle::behavior_type txn_log_writer_actor(self_ptr self, context_ptr ctx,
                                                          int64_t last_zxid) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  const auto& cfg = st.ctx->config;
  st.log = std::make_unique<store::txn_log_writer>(*st.ctx->disk, cfg.log_dir(),
                                                   cfg.pre_alloc_size_kb * 1024, cfg.force_sync);
  st.durable_zxid = last_zxid;
  choose_roll_point(st);
  return {
      [=](log_append& a) { take_append(self, a); },
      [=](log_append_batch& b) {
        for (auto& a : b.items)
          take_append(self, a);
      },
      [=](flush_atom) {
        // Sampled once per batch: what waits here while this batch is written and synced.
        metrics::record_mailbox_depth(self, self->state.ctx->metrics->mailbox_depth.log_writer);
        write_batch(self);
      },
      // ZAB's TRUNC: drop the records after `zxid`. What waits in the batch is written
      // first (it was appended before the truncation was asked for).
      [=](truncate_atom, int64_t zxid) -> caf::result<bool, std::string> {
        auto& s = self->state;
        write_batch(self);
        s.log->close_segment();
        auto status = store::truncate_log_after(*s.ctx->disk, s.ctx->config.log_dir(), zxid);
        s.roll_next = true;
        if (status.ok()) s.durable_zxid = zxid;
        return {status.ok(), status.message};
      },
      // ZAB's SNAP: the snapshot of `zxid` received from the leader replaces the whole log.
      [=](reset_log_atom, int64_t zxid) -> caf::result<bool, std::string> {
        auto& s = self->state;
        write_batch(self);
        s.log->close_segment();
        auto status = store::remove_log(*s.ctx->disk, s.ctx->config.log_dir());
        s.roll_next = true;
        s.in_segment = 0;
        if (status.ok()) s.durable_zxid = zxid;
        return {status.ok(), status.message};
      },
  };
}

} // namespace paddock::actors
