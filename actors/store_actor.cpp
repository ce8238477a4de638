#include "actors/store_actor.hpp"

#include "actors/messages/sessions.hpp"
#include "actors/messages/store.hpp"
#include "protocol/jute/codec.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/snapshot.hpp"
#include "store/requests/request_processor.hpp"
#include "store/tree/container_sweeper.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <csignal>
#include <cstring>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace paddock::actors {

namespace {

using self_ptr = store_handle::stateful_pointer<store_state>;

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
    auto result = st.tree.apply(c.txn);
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

// The child of fork(): only this thread exists, so it touches nothing shared with the
// parent's other threads (no logger, no actor) and leaves with _exit.
[[noreturn]] void write_snapshot_in_child(store::file_system& disk, const store::data_tree& tree,
                                          const std::string& dir, pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the server (and hold its ports)
  if (::getppid() != parent) ::_exit(1);
  ::close_range(3, ~0U, 0); // the sockets and the log stay the parent's alone
  auto status = store::write_snapshot(disk, tree, dir);
  if (!status.ok()) {
    auto msg = "paddock snapshot writer: " + status.message + "\n";
    (void)!::write(2, msg.data(), msg.size());
    ::_exit(1);
  }
  ::_exit(0);
}

void take_snapshot(self_ptr self) {
  auto& st = self->state;
  if (st.snapshot_running) {
    spdlog::warn("snapshot requested while the previous one is still being written; skipped");
    return;
  }
  auto zxid = st.tree.last_zxid();
  auto parent = ::getpid();
  const int64_t started_us = st.ctx->clock->monotonic_us();
  pid_t pid = ::fork();
  if (pid == 0) write_snapshot_in_child(*st.ctx->disk, st.tree, st.ctx->config.snap_dir(), parent);
  if (pid < 0) {
    spdlog::error("cannot start a snapshot (fork: {}); the log keeps growing until the next one",
                  std::strerror(errno));
    return;
  }
  const int64_t paused_us = st.ctx->clock->monotonic_us() - started_us;
  spdlog::info("snapshot of zxid 0x{:x} started (pid {}, writes paused {} us for the fork)", zxid,
               pid, paused_us);
  st.snapshot_running = true;
  st.ctx->snapshot_writer->store(pid);
  self->send(st.ctx->snapshotter, snapshot_started{pid, zxid});
}

// The tree was replaced (a snapshot from the leader, or a reload after TRUNC): the tracker
// takes the sessions it now holds.
void tree_replaced(self_ptr self) {
  auto& st = self->state;
  st.ctx->stats->last_applied_zxid.store(st.tree.last_zxid(), std::memory_order_relaxed);
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
  self->state.ctx->stats->last_applied_zxid.store(self->state.tree.last_zxid(),
                                                  std::memory_order_relaxed);
  return {
      [=](commit_batch& b) {
        metrics::record_mailbox_depth(self, self->state.ctx->metrics->mailbox_depth.store);
        for (auto& c : b.commits)
          apply_commit(self, c);
      },
      [=](snapshot_atom) { take_snapshot(self); },
      // The sweeper: containers and TTL znodes due at `now_ms`, read in the store's order.
      [=](sweep_atom, int64_t now_ms, uint64_t limit) -> std::vector<std::string> {
        return store::sweep_candidates(self->state.tree, now_ms, static_cast<size_t>(limit));
      },
      // Leader, syncing a learner by SNAP: the tree as it is now, in the snapshot format.
      // Serialized here, in the store's order, so it holds exactly the txns up to its zxid.
      // It stops the store for the time it takes (~2 s per million znodes).
      [=](take_snap_atom) -> caf::result<int64_t, std::string> {
        auto& st = self->state;
        std::string bytes;
        auto status = store::serialize_snapshot(st.tree, bytes);
        if (!status.ok()) // never send a learner half a tree
          return caf::make_error(caf::sec::runtime_error, "serialize snapshot: " + status.message);
        return {st.tree.last_zxid(), std::move(bytes)};
      },
      // Learner, synced by SNAP: the leader's snapshot replaces the tree, durably first.
      [=](install_atom, int64_t zxid, const std::string& bytes) -> caf::result<bool, std::string> {
        auto& st = self->state;
        store::data_tree tree;
        auto status = store::parse_snapshot(bytes, "snapshot from the leader", tree);
        if (status.ok() && tree.last_zxid() != zxid)
          status = {EINVAL, "snapshot from the leader: zxid disagrees", false};
        if (status.ok())
          status =
              store::write_snapshot_bytes(*st.ctx->disk, bytes, zxid, st.ctx->config.snap_dir());
        if (!status.ok()) return {false, status.message};
        st.tree = std::move(tree);
        tree_replaced(self);
        spdlog::info("installed the leader's snapshot of zxid 0x{:x} ({} bytes)", zxid,
                     bytes.size());
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
        st.tree = std::move(r.tree);
        tree_replaced(self);
        spdlog::info("reloaded the tree from disk after a truncation: zxid 0x{:x}",
                     st.tree.last_zxid());
        return {true, std::string{}};
      },
      [=](snapshot_done_atom) { self->state.snapshot_running = false; },
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
        return tree_stats{t.last_zxid(), t.zookeeper_node_count(), t.ephemeral_count(),
                          t.approximate_data_size(), t.session_count()};
      },
  };
}

} // namespace paddock::actors
