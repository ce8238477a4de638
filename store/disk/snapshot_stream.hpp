#pragma once
// A snapshot produced a slice at a time from a tree that goes on changing between slices
// (data_tree::begin_snapshot, node-level copy-on-write): the concatenated slices are exactly
// a snapshot of the tree at S, the last zxid applied when the stream began, in the format of
// store/disk/snapshot.hpp (loadable by load_snapshot / parse_snapshot). Whoever drives it
// bounds each slice, so the thread applying txns is never held for a whole tree.
#include "store/disk/io_status.hpp"
#include "store/tree/data_tree.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace paddock::store {

namespace snapshot_frames {
class encoder;
}

class snapshot_stream {
public:
  // Begins the tree's snapshot (none may be in progress); the header and the ACL lists at S
  // are the first bytes next() hands out.
  explicit snapshot_stream(data_tree& tree);
  ~snapshot_stream();
  snapshot_stream(const snapshot_stream&) = delete;
  snapshot_stream& operator=(const snapshot_stream&) = delete;

  int64_t zxid() const { return zxid_; }
  bool done() const { return done_; }
  uint64_t bytes() const { return bytes_; } // handed out so far

  // Appends to `out` the frames of up to `max_nodes` more znodes (the first call also the
  // header and ACL lists); after the last znode, the sessions at S and the trailer, and the
  // tree's snapshot is ended (done() is true then). `tree` must be the tree given to the
  // constructor, changed only by apply() and set_config_node() in between.
  io_status next(data_tree& tree, size_t max_nodes, std::string& out);

private:
  int64_t zxid_ = 0;
  bool started_ = false;
  bool done_ = false;
  uint64_t bytes_ = 0;
  std::string pending_; // the encoder's output, moved to `out` by next()
  std::unique_ptr<snapshot_frames::encoder> enc_;
};

} // namespace paddock::store
