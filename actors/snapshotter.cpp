#include "actors/snapshotter.hpp"

#include "actors/messages/store.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/snapshot.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace paddock::actors {

namespace {

using self_ptr = snapshotter_handle::stateful_pointer<snapshotter_state>;

void purge(self_ptr self) {
  const auto& cfg = self->state.ctx->config;
  auto deleted = store::purge_old_files(*self->state.ctx->disk, cfg.snap_dir(), cfg.log_dir(),
                                        cfg.autopurge_snap_retain_count);
  for (const auto& path : deleted)
    spdlog::info("autopurge: deleted {}", path);
}

// The snapshot being written failed: its .tmp file goes, the store stops producing it.
void fail(self_ptr self, const std::string& why) {
  auto& st = self->state;
  spdlog::error("snapshot of zxid 0x{:x} failed ({}); recovery keeps using the previous "
                "snapshot and the log",
                st.zxid, why);
  st.file.reset();
  self->send(st.ctx->store, snapshot_done_atom::value, st.zxid, false);
}

// Syncs every few MB while writing: on ext4 a sync of the txn log may otherwise have to flush
// every page of the snapshot dirtied since the last one, and the log's fsyncs are what
// clients wait for (docs/benchmarks.md, issue 14).
constexpr int64_t snapshot_sync_every_bytes = 4 << 20;

store::io_status append(self_ptr self, const std::string& bytes) {
  auto& st = self->state;
  if (auto status = st.file->append(bytes); !status.ok()) return status;
  st.unsynced_bytes += static_cast<int64_t>(bytes.size());
  if (st.unsynced_bytes < snapshot_sync_every_bytes) return store::io_status::success();
  st.unsynced_bytes = 0;
  return st.file->sync_data();
}

void finish(self_ptr self) {
  auto& st = self->state;
  auto status = st.file->finish();
  if (!status.ok()) return fail(self, status.message);
  const int64_t bytes = st.file->bytes_written();
  st.file.reset();
  const int64_t ms = st.ctx->clock->monotonic_ms() - st.started_ms;
  spdlog::info("snapshot of zxid 0x{:x} written in {} ms ({} bytes)", st.zxid, ms, bytes);
  auto& stats = *st.ctx->stats;
  stats.last_snapshot_zxid.store(st.zxid, std::memory_order_relaxed);
  stats.last_snapshot_time_s.store(st.ctx->clock->wall_ms() / 1000, std::memory_order_relaxed);
  st.ctx->metrics->snapshottime.Observe(static_cast<double>(ms));
  self->send(st.ctx->store, snapshot_done_atom::value, st.zxid, true);
}

// A piece of the leader's SNAP image (learner): written, and at the end checked (size, CRC32C)
// and fsync'ed; an error refuses the stream (peer_links drops the link, the learner joins
// again).
std::string receive(self_ptr self, received_chunk& c) {
  auto& st = self->state;
  const auto& ctx = *st.ctx;
  if (c.offset == 0) {
    if (!st.received)
      st.received =
          std::make_unique<store::received_snapshot_writer>(*ctx.disk, ctx.config.snap_dir());
    if (auto status = st.received->begin(c.zxid); !status.ok()) return status.message;
    st.received_started_ms = ctx.clock->monotonic_ms();
  }
  if (!st.received || !st.received->open() || st.received->zxid() != c.zxid)
    return "a piece of the snapshot of zxid 0x" + fmt::format("{:x}", c.zxid) +
           " with no stream of it begun";
  if (auto status = st.received->append(c.offset, c.bytes); !status.ok()) return status.message;
  if (!c.last) return {};
  if (auto status = st.received->finish(c.total, c.crc); !status.ok()) return status.message;
  spdlog::info("SNAP: the leader's snapshot of zxid 0x{:x} received in {} ms ({} bytes, "
               "checked and fsync'ed)",
               c.zxid, ctx.clock->monotonic_ms() - st.received_started_ms, c.total);
  return {};
}

} // namespace

snapshotter_handle::behavior_type snapshotter(self_ptr self, context_ptr ctx) {
  self->state.ctx = std::move(ctx);
  const auto interval_h = self->state.ctx->config.autopurge_purge_interval_h;
  if (interval_h > 0) self->send(self, purge_atom::value); // as ZooKeeper: once at start too
  return {
      [=](snapshot_slice& s) {
        auto& st = self->state;
        const auto& ctx = *st.ctx;
        if (s.first) {
          st.file = std::make_unique<store::snapshot_file_writer>(*ctx.disk, ctx.config.snap_dir(),
                                                                  s.zxid);
          st.zxid = s.zxid;
          st.unsynced_bytes = 0;
          st.started_ms = ctx.clock->monotonic_ms();
          if (auto status = st.file->open(); !status.ok()) fail(self, status.message);
        }
        const uint64_t size = s.bytes.size();
        if (st.file && st.zxid == s.zxid) {
          if (s.abandon) {
            spdlog::info("snapshot of zxid 0x{:x} abandoned (the tree was replaced)", s.zxid);
            st.file.reset(); // removes the .tmp file
          } else if (auto status = append(self, s.bytes); !status.ok())
            fail(self, status.message);
          else if (s.last)
            finish(self);
        }
        self->send(ctx.store, snapshot_ack_atom::value, size);
      },
      [=](received_chunk& c) -> caf::result<bool, std::string> {
        auto why = receive(self, c);
        return {why.empty(), why};
      },
      [=](purge_atom) {
        purge(self);
        self->delayed_send(self, std::chrono::hours(interval_h), purge_atom::value);
      },
  };
}

} // namespace paddock::actors
