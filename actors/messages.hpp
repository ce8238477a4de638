#pragma once
// The messages the actors of one server exchange. They never leave the process (the peer
// protocol of the replication issue has its own, serializable types), so they are plain
// structs allowed as local-only message types.
#include "protocol/admin/four_letter_words.hpp"
#include "protocol/jute/records.hpp"
#include "store/request_processor.hpp"
#include "store/txn.hpp"
#include "store/watch_requests.hpp"
#include "store/watch_table.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/io/connection_handle.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace paddock::actors {

// listener <-> session
using data_atom = caf::atom_constant<caf::atom("data")>;     // bytes the client sent
using write_atom = caf::atom_constant<caf::atom("write")>;   // bytes for the client
using close_atom = caf::atom_constant<caf::atom("close")>;   // close this connection
using closed_atom = caf::atom_constant<caf::atom("closed")>; // the client went away
using open_atom = caf::atom_constant<caf::atom("open")>;     // start listening
// session <-> session tracker
using new_session_atom = caf::atom_constant<caf::atom("newsess")>;
using reattach_atom = caf::atom_constant<caf::atom("reattach")>;
using touch_atom = caf::atom_constant<caf::atom("touch")>;
using forget_atom = caf::atom_constant<caf::atom("forget")>; // the client closes its session
// A createSession that could not be logged: the session never existed, forget it now.
using unborn_atom = caf::atom_constant<caf::atom("unborn")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>; // your session is gone
using moved_atom = caf::atom_constant<caf::atom("moved")>;   // another connection took it
using tick_atom = caf::atom_constant<caf::atom("tick")>;
// admin
using stats_atom = caf::atom_constant<caf::atom("stats")>;

// Who gets the reply to a request, and which request it answers.
struct origin {
  caf::actor session; // empty for server-made txns (session expiry)
  int32_t xid = 0;
};

// session -> proposal pipeline: a write to stamp and commit. The pipeline fills in
// txn.zxid and txn.time_ms.
struct write_request {
  store::txn txn;
  origin from;
};

// session -> proposal pipeline -> store: sync, ordered with the writes but with no txn.
struct sync_request {
  std::string path;
  origin from;
};

// proposal pipeline -> store: a committed txn, in zxid order. A txn the log could not
// make durable is passed on failed (not applied): its origin gets an error reply in order.
struct commit {
  store::txn txn;
  origin from;
  bool failed = false;
};

// proposal pipeline -> store: commits in zxid order, as many as became durable at once.
struct commit_batch {
  std::vector<commit> commits;
};

// proposal pipeline -> log writer: one txn record to make durable. `generation` changes
// after a failed write: appends of an older generation were stamped before the failure and
// are dropped (the pipeline fails them itself).
struct log_append {
  uint64_t generation = 0;
  int64_t zxid = 0;
  std::string body; // the txn as Protobuf bytes
};

// quorum peer -> log writer: the txns of one append_log action, in order: one message for
// the batch rather than one per txn.
struct log_append_batch {
  std::vector<log_append> items;
};

// log writer -> proposal pipeline: every txn up to `zxid` is on disk.
struct logged {
  uint64_t generation = 0;
  int64_t zxid = 0;
};

// log writer -> proposal pipeline: a write failed (disk full, ...). Nothing after
// `durable_zxid` is on disk; the pipeline fails those txns and stamps from there again.
struct log_failed {
  uint64_t generation = 0;
  int64_t durable_zxid = 0;
  std::string reason;
};

// store -> snapshotter: a child process writing the snapshot of `zxid` was started.
struct snapshot_started {
  int pid = 0;
  int64_t zxid = 0;
};

using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;      // log writer -> store
using snapshot_done_atom = caf::atom_constant<caf::atom("snapdone")>; // snapshotter -> store
using purge_atom = caf::atom_constant<caf::atom("purge")>;
using retry_close_atom = caf::atom_constant<caf::atom("retryclose")>; // pipeline -> tracker
// container sweeper -> store: the sweep candidates at a time, at most a number of them.
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;

// session -> store: a read, executed against the tree in the store's order.
struct read_request {
  jute::request request;
  int64_t session_id = 0;
  // The session's identities for the ACL check; shared, since they change only on addAuth.
  std::shared_ptr<const std::vector<jute::id>> auth;
  store::watcher_id watcher = 0;
  origin from;
};

// session -> store: re-registration of watches after a reconnect.
struct set_watches_request {
  jute::set_watches_request request;
  int64_t session_id = 0;
  store::watcher_id watcher = 0;
  origin from;
};

// store -> watch manager: one committed txn's effects. The watch manager fires the
// triggers first, then hands the reply to the origin: that order is the watch guarantee.
struct applied {
  int64_t zxid = 0;
  int32_t opcode = 0;
  std::vector<store::watch_trigger> triggers;
  std::string reply; // the origin's reply frame; empty for createSession
  origin from;
  bool failed = false; // not applied: the log could not make it durable
};

// store -> watch manager: a read's reply and the watch it registers, if any. Also used for
// setWatches, with events to fire at once.
struct read_done {
  std::string reply;
  int64_t zxid = 0;
  store::watcher_id watcher = 0;
  int64_t session_id = 0; // the watcher's session, for wchc / wchp
  std::vector<store::watch_registration> registrations;
  std::vector<jute::watcher_event> fire_now;
  // checkWatches / removeWatches: answered by the watch manager (`reply` is empty).
  std::optional<store::watch_query> query;
  origin from;
};

// One frame for a session: a reply to one of its requests, or a notification.
struct outbound {
  std::string frame;
  bool is_reply = false;
  bool is_write = false; // a reply to a write (or sync / close), not to a read
  int64_t zxid = 0;      // the tree's zxid when it was made (for lastZxid bookkeeping)
  int32_t opcode = 0;
  bool failed = false; // a write that was not applied (its frame carries the error)
};

// watch manager -> session: everything for this session from one drain of the watch
// manager's mailbox, in order. Batching here is what keeps the number of actor wake-ups
// (and socket writes) per request low when many sessions are busy.
struct outbound_batch {
  std::vector<outbound> items;
};

using flush_atom = caf::atom_constant<caf::atom("flush")>;

// store -> admin: what the four-letter words report about the tree.
struct tree_stats {
  int64_t last_zxid = 0;
  uint64_t node_count = 0;
  uint64_t ephemerals_count = 0;
  uint64_t approximate_data_size = 0;
  uint64_t session_count = 0;
};

// watch manager -> admin.
struct watch_stats {
  uint64_t watch_count = 0;      // mntr: both indexes
  uint64_t data_watch_count = 0; // wchs: the data index, as ZooKeeper 3.8
  uint64_t watched_paths = 0;
  uint64_t watchers = 0;
  // For wchc / wchp (filled only when asked for listings).
  std::vector<std::pair<int64_t, std::vector<std::string>>> by_session;
  std::vector<std::pair<std::string, std::vector<int64_t>>> by_path;
};

} // namespace paddock::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::write_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::sync_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::commit)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::commit_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::log_append)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::log_append_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::logged)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::log_failed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::snapshot_started)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::read_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::set_watches_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::applied)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::read_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::outbound_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::tree_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::actors::watch_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(paddock::admin::connection_info)
