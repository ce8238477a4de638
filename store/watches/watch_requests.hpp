#pragma once
// The requests that act on watches themselves rather than on the tree, with no actors:
// addWatch (106), checkWatches (17), removeWatches (18). addWatch is answered by the store
// like a read (the watch manager registers what it returns); checkWatches and
// removeWatches are answered by the watch manager from its table, after the store has
// put them in its stream, so they see every watch registered before them.
#include "protocol/jute/error_code.hpp"
#include "protocol/jute/records.hpp"
#include "store/watches/watch_table.hpp"

#include <cstdint>
#include <string>

namespace paddock::store {

// What a read registers. persistent and persistent_recursive come from addWatch and
// setWatches2 and go into both of the watch table's indexes.
enum class watch_kind : uint8_t { none, data, child, persistent, persistent_recursive };

struct watch_registration {
  watch_kind kind = watch_kind::none;
  std::string path;
};

// addWatch: ZooKeeper registers the watch whether or not the node exists, does not
// validate the path, and answers ReplyHeader + ErrorResponse{0}. A mode other than
// persistent (0) or persistent-recursive (1) makes 3.8 throw in FinalRequestProcessor,
// which the client sees as MarshallingError.
void execute_add_watch(const jute::add_watch_request& r, int32_t xid, int64_t zxid,
                       std::string& out, watch_registration& reg);

struct watch_query {
  bool remove = false; // removeWatches, else checkWatches
  int32_t xid = 0;
  std::string path;
  int32_t type = 0; // WatcherType: 1 children, 2 data, 3 any
};

// Fills `q` from a checkWatches / removeWatches request; false for any other request.
bool to_watch_query(const jute::request& request, watch_query& q);

// Runs the query on `table` for `w` and returns the error of its reply: NoWatcher when
// nothing matched, MarshallingError for an unknown type (3.8 throws from
// WatcherType.fromInt).
jute::error_code run_watch_query(watch_table& table, const watch_query& q, watcher_id w);

// The reply frame: ReplyHeader only, whatever the outcome.
void encode_watch_query_reply(std::string& out, const watch_query& q, int64_t zxid,
                              jute::error_code err);

} // namespace paddock::store
