#pragma once
// The store's conversations: what goes into the data tree (commits, reads) and the one FIFO
// stream that leaves it for the watch manager, plus snapshots and the container sweeper.
//   pipeline / quorum peer -> store  commit_batch (zxid order); sync_request
//   session -> store        read_request; set_watches_request
//   store -> watch manager  applied (a commit's triggers and reply); read_done (a read's
//                           reply and the watch it registers). One stream, in the store's
//                           order: that is the watch guarantee.
//   session -> watch manager  auth_changed (after addAuth)
//   txn log writer -> store (snapshot_atom) take a snapshot (copy-on-write, in slices)
//   store -> store          (snapshot_next_atom) the next slice, behind the queued commits
//   store -> snapshotter    snapshot_slice; snapshotter -> store (snapshot_ack_atom, uint64_t
//                           bytes written), then (snapshot_done_atom, int64_t zxid, bool ok)
//   container sweeper -> store  (sweep_atom, int64_t now_ms, uint64_t limit)
//                           -> std::vector<std::string> paths due
//   quorum peer -> store    (take_snap_atom) -> (int64_t zxid, uint64_t stream): a learner's
//                           SNAP image fixed (copy-on-write) at zxid, produced on demand:
//   peer_links -> store     (snap_pull_atom, uint64_t stream) -> snap_piece, the next piece;
//                           (snap_release_atom, uint64_t stream) the stream is abandoned
//   store -> store          (snap_idle_atom, uint64_t stream) a stream nobody pulls is dropped
//   peer_links -> snapshotter  received_chunk -> (bool, error): a piece of the leader's image
//                           written (learner)
//   quorum peer -> store    (install_atom, int64_t zxid) -> (bool, error): the received image
//                           replaces the tree (learner)
//                           (reload_atom, int64_t zxid) -> (bool, error)
//                           (config_node_atom, std::string data, int64_t version): set
//                           /zookeeper/config outside a txn (a configuration activated)
//                           reconfig_right -> bool: may these ids reconfigure (WRITE on
//                           /zookeeper/config)? Asked by the leader before it proposes
//                           (drain_atom) -> bool, answered once every reply the store sent
//                           before it has left the watch manager for its session
//                           (digest_check_atom, std::vector<std::pair<int64_t, int64_t>>)
//                           learner: the leader's tree digest after each txn since its
//                           previous report, (zxid, digest) in zxid order, to compare with
//                           this tree's
//   store -> quorum peer    (digest_report_atom, std::vector<std::pair<int64_t, int64_t>>)
//                           the digest after every txn applied since the previous report, at
//                           most every 100 ms (a timer to itself, digest_due_atom, for a batch
//                           inside the interval) (a leader sends it on);
//                           (digest_mismatch_atom, int64_t zxid) a learner's tree
//                           disagreed: resync by SNAP (both declared in ensemble_local.hpp, with
//                           the quorum peer)
//   admin -> store          (stats_atom) -> tree_stats; (hash_atom) -> the digest history
//   fault injector -> store (corrupt_atom) -> bool: the next setData applied changes the data
//                           to something else (tests only: a learner that diverges)
//   admin -> watch manager  (stats_atom, bool listings) -> watch_stats
// The store -> session expiry actor messages (session_up / session_down / session_list)
// are in sessions.hpp.
#include "actors/messages/client.hpp"
#include "actors/messages/common.hpp"
#include "actors/messages/pipeline.hpp"
#include "actors/messages/registry.hpp"
#include "protocol/jute/records.hpp"
#include "store/tree/txn.hpp"
#include "store/watches/watch_index.hpp"
#include "store/watches/watch_requests.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace paddock::actors {

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
  // The applying server leads an ensemble: the store reports its tree digests, which the
  // quorum peer sends on to the learners (a learner's would be dropped).
  bool report_digests = false;
};

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
  std::shared_ptr<const std::vector<jute::id>> auth; // for the watch manager, as read_done
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
  // The session's identities when it asked: the watch table checks restricted nodes'
  // events against them. A session changes them (addAuth) only with nothing in flight,
  // and then tells the watch manager itself (auth_changed), so these are never stale.
  std::shared_ptr<const std::vector<jute::id>> auth;
  std::vector<jute::watcher_event> fire_now;
  // checkWatches / removeWatches: answered by the watch manager (`reply` is empty).
  std::optional<store::watch_query> query;
  origin from;
};

// session -> watch manager: its identities after addAuth changed them.
struct auth_changed {
  store::watcher_id watcher = 0;
  std::shared_ptr<const std::vector<jute::id>> auth;
};

// store -> snapshotter: the next bytes of the snapshot of `zxid` (store/disk/snapshot_stream),
// produced a slice at a time between commits. `first` opens the file, `last` finishes it
// (fsync, rename, directory fsync); `abandon` drops the file (the tree was replaced under the
// snapshot). The snapshotter acks each slice's bytes (snapshot_ack_atom), which is the
// store's flow control: it stops producing while too many bytes are unacked.
struct snapshot_slice {
  int64_t zxid = 0;
  std::string bytes;
  bool first = false;
  bool last = false;
  bool abandon = false;
};

// store -> peer_links (leader): the next piece of a learner's SNAP image (at most
// snap_chunk_bytes; the last one says the image's size and CRC32C).
struct snap_piece {
  std::string bytes;
  bool last = false;
  uint64_t total = 0;
  uint32_t crc = 0;
};

// peer_links -> snapshotter (learner): a piece of the leader's SNAP image of `zxid`, to write
// at `offset` of the received file (store/disk/received_snapshot.hpp); offset 0 begins a new
// one. The last piece carries the size and CRC32C the whole must have.
struct received_chunk {
  int64_t zxid = 0;
  uint64_t offset = 0;
  std::string bytes;
  bool last = false;
  uint64_t total = 0;
  uint32_t crc = 0;
};

// quorum peer -> store (leader): whether a reconfig's caller may write /zookeeper/config
// (ZooKeeper's PrepRequestProcessor checks it last, after the quorum).
struct reconfig_right {
  std::shared_ptr<const std::vector<jute::id>> auth;
};

// store -> admin: what the four-letter words report about the tree.
struct tree_stats {
  int64_t last_zxid = 0;
  std::optional<int64_t> digest; // the tree digest after last_zxid; none when digests are off
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

using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;      // log writer -> store
using snapshot_done_atom = caf::atom_constant<caf::atom("snapdone")>; // snapshotter -> store
using snapshot_ack_atom = caf::atom_constant<caf::atom("snapack")>;   // snapshotter -> store
using snapshot_next_atom = caf::atom_constant<caf::atom("snapnext")>; // store -> itself
// The snapshotter's own timer: autopurge is due.
using purge_atom = caf::atom_constant<caf::atom("purge")>;
// container sweeper -> store: the sweep candidates at a time, at most a number of them.
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
// quorum peer -> store (ensemble): serialize the tree for a learner's SNAP; install the
// leader's snapshot; rebuild the tree from disk after a TRUNC.
using take_snap_atom = caf::atom_constant<caf::atom("takesnap")>;
// AdminServer -> store: a backup. Answered once a snapshot file is written: its zxid and path.
using backup_atom = caf::atom_constant<caf::atom("backup")>;
using install_atom = caf::atom_constant<caf::atom("install")>;
using snap_pull_atom = caf::atom_constant<caf::atom("snappull")>;
using snap_release_atom = caf::atom_constant<caf::atom("snaprel")>;
using snap_idle_atom = caf::atom_constant<caf::atom("snapidle")>;
using reload_atom = caf::atom_constant<caf::atom("reload")>;
using config_node_atom = caf::atom_constant<caf::atom("cfgnode")>;
// quorum peer -> store -> watch manager: a barrier behind the replies already on their way.
using drain_atom = caf::atom_constant<caf::atom("drain")>;
// quorum peer -> store (learner): the leader's digest after a zxid.
using digest_check_atom = caf::atom_constant<caf::atom("digestchk")>;
// store -> itself: the next digest report is due (at most one per 100 ms).
using digest_due_atom = caf::atom_constant<caf::atom("digestdue")>;
// admin -> store: ZooKeeper's `hash`, the (zxid, digest) history.
using hash_atom = caf::atom_constant<caf::atom("hash")>;
// fault injector -> store: corrupt the next setData (--enable-fault-injection only).
using corrupt_atom = caf::atom_constant<caf::atom("corrupt")>;

// The store actor (actors/store_actor.hpp).
using store_handle = caf::typed_actor<
    caf::reacts_to<commit_batch>, caf::reacts_to<sync_request>, caf::reacts_to<read_request>,
    caf::reacts_to<set_watches_request>, caf::reacts_to<snapshot_atom>,
    caf::reacts_to<snapshot_done_atom, int64_t, bool>, caf::reacts_to<snapshot_ack_atom, uint64_t>,
    caf::reacts_to<snapshot_next_atom>,
    caf::replies_to<sweep_atom, int64_t, uint64_t>::with<std::vector<std::string>>,
    caf::replies_to<take_snap_atom>::with<int64_t, uint64_t>,
    caf::replies_to<snap_pull_atom, uint64_t>::with<snap_piece>,
    caf::reacts_to<snap_release_atom, uint64_t>, caf::reacts_to<snap_idle_atom, uint64_t>,
    caf::replies_to<backup_atom>::with<int64_t, std::string>,
    caf::replies_to<install_atom, int64_t>::with<bool, std::string>,
    caf::replies_to<reload_atom, int64_t>::with<bool, std::string>,
    caf::reacts_to<config_node_atom, std::string, int64_t>,
    caf::replies_to<reconfig_right>::with<bool>, caf::replies_to<drain_atom>::with<bool>,
    caf::replies_to<stats_atom>::with<tree_stats>,
    caf::reacts_to<digest_check_atom, std::vector<std::pair<int64_t, int64_t>>>,
    caf::reacts_to<digest_due_atom>,
    caf::replies_to<hash_atom>::with<std::vector<std::pair<int64_t, int64_t>>>,
    caf::replies_to<corrupt_atom>::with<bool>,
    caf::replies_to<dump_atom>::with<std::vector<std::pair<int64_t, std::vector<std::string>>>>>;

// The watch manager (actors/watch_manager.hpp); flush_atom is its own batching marker.
using watch_manager_handle =
    caf::typed_actor<caf::reacts_to<applied>, caf::reacts_to<read_done>,
                     caf::reacts_to<auth_changed>, caf::reacts_to<flush_atom>,
                     caf::replies_to<drain_atom>::with<bool>,
                     caf::replies_to<stats_atom, bool>::with<watch_stats>>;

// The snapshotter (actors/snapshotter.hpp).
using snapshotter_handle =
    caf::typed_actor<caf::reacts_to<snapshot_slice>, caf::reacts_to<purge_atom>,
                     caf::replies_to<received_chunk>::with<bool, std::string>>;

// The container sweeper (actors/container_sweeper_actor.hpp): told its role by the quorum
// peer, woken by its own tick.
using container_sweeper_handle =
    caf::typed_actor<caf::reacts_to<role_atom, bool>, caf::reacts_to<tick_atom>>;

} // namespace paddock::actors
