#pragma once
// What the server does with a decoded client request, with no actors and no I/O — the
// counterpart of ZooKeeper's FinalRequestProcessor:
// - classify(): does the request go through the proposal pipeline (a write), straight to
//   the store (a read), or is it answered by the session itself;
// - make_txn(): the txn a write becomes (the pipeline stamps zxid and time);
// - execute_read() / encode_write_reply(): the reply frame for a read or an applied txn;
// - evaluate_set_watches(): which re-registered watches fire at once, which are registered.
#include "protocol/jute/records.hpp"
#include "store/tree/data_tree.hpp"
#include "store/tree/txn.hpp"
#include "store/watches/watch_requests.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace paddock::store {

enum class request_class {
  read,        // answered by the store from the tree (may register a watch)
  write,       // becomes a txn through the proposal pipeline
  sync,        // passes the pipeline without a txn, answered in order with the writes
  set_watches, // evaluated by the store, registered by the watch manager
  ping,        // answered in order with the session's other requests
  auth,        // handled by the session (addAuth)
  close_session,
  unsupported, // answered with Unimplemented
};

request_class classify(int32_t opcode);

// watch_kind and watch_registration (what a read registers) are in
// store/watches/watch_requests.hpp.

// Turns a decoded write request into a txn (moving the request's strings into it).
// zxid and time are left for the pipeline to stamp.
txn make_txn(jute::request&& request, int64_t session_id);

// Executes a read and appends its whole reply frame (length prefix included) to `out`.
// `auth` is the session's identities: getData and getChildren need READ, getACL READ or
// ADMIN (digest ids are masked without ADMIN), as ZooKeeper checks them; exists needs none.
// `reg` says which watch to register; it is set only where ZooKeeper registers one
// (exists: always; getData/getChildren: only when the read succeeded).
void execute_read(const data_tree& tree, const jute::request& request, int64_t session_id,
                  std::span<const jute::id> auth, std::string& out, watch_registration& reg);

// The reply frame of an applied txn for its origin.
void encode_write_reply(std::string& out, int32_t xid, int32_t opcode, const apply_result& result,
                        int64_t zxid);

// The reply frame of a sync: SyncResponse{path}.
void encode_sync_reply(std::string& out, int32_t xid, int64_t zxid, const std::string& path);

struct set_watches_outcome {
  std::vector<jute::watcher_event> fire_now; // changed since relativeZxid
  std::vector<watch_registration> register_now;
};

// ZooKeeper's DataTree.setWatches: a data watch on a missing node fires NodeDeleted, on a
// node changed after relativeZxid NodeDataChanged; an exist watch on an existing node fires
// NodeCreated; a child watch fires NodeDeleted or NodeChildrenChanged likewise. The rest
// are registered. setWatches2's persistent and persistent-recursive watches are only
// registered, after the one-shot ones: nothing that changed meanwhile fires for them.
set_watches_outcome evaluate_set_watches(const data_tree& tree,
                                         const jute::set_watches_request& request);

} // namespace paddock::store
