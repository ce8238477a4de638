#include "actors/snapshotter.hpp"

#include "actors/messages/store.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/snapshot.hpp"

#include <caf/all.hpp>
#include <cerrno>
#include <chrono>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

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

// The size of the snapshot file of `zxid`, for the log; -1 when it cannot be read.
int64_t snapshot_size(const server_context& ctx, int64_t zxid) {
  const auto path = ctx.config.snap_dir() + "/" + store::snapshot_name(zxid);
  std::unique_ptr<store::readable_file> file;
  int64_t size = -1;
  if (ctx.disk->open_for_read(path, file).ok() && !file->size(size).ok()) size = -1;
  return size;
}

} // namespace

snapshotter_handle::behavior_type snapshotter(self_ptr self, context_ptr ctx) {
  self->state.ctx = std::move(ctx);
  const auto interval_h = self->state.ctx->config.autopurge_purge_interval_h;
  if (interval_h > 0) self->send(self, purge_atom::value); // as ZooKeeper: once at start too
  return {
      [=](snapshot_started& s) {
        const int64_t started_ms = self->state.ctx->clock->monotonic_ms();
        int status = 0;
        pid_t r;
        do
          r = ::waitpid(s.pid, &status, 0);
        while (r < 0 && errno == EINTR);
        self->state.ctx->snapshot_writer->store(0);
        const int64_t ms = self->state.ctx->clock->monotonic_ms() - started_ms;
        if (r == s.pid && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
          spdlog::info("snapshot of zxid 0x{:x} written in {} ms ({} bytes)", s.zxid, ms,
                       snapshot_size(*self->state.ctx, s.zxid));
          auto& stats = *self->state.ctx->stats;
          stats.last_snapshot_zxid.store(s.zxid, std::memory_order_relaxed);
          stats.last_snapshot_time_s.store(self->state.ctx->clock->wall_ms() / 1000,
                                           std::memory_order_relaxed);
          self->state.ctx->metrics->snapshottime.Observe(static_cast<double>(ms));
        } else
          spdlog::error("snapshot of zxid 0x{:x} failed (writer status {}); recovery keeps "
                        "using the previous snapshot and the log",
                        s.zxid, status);
        self->send(self->state.ctx->store, snapshot_done_atom::value);
      },
      [=](purge_atom) {
        purge(self);
        self->delayed_send(self, std::chrono::hours(interval_h), purge_atom::value);
      },
  };
}

} // namespace paddock::actors
