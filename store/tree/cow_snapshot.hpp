#pragma once
// The state of a snapshot in progress (data_tree::begin_snapshot): the images of znodes as
// they were at S, saved by the tree just before it first changes or deletes them, and the
// depth-first walk that merges them with the live tree. Internal to store/tree.
//
// Znodes are known by their address, which stays the same for a znode's whole life (its
// unique_ptr moves when a child table rehashes, the znode does not). An address freed by a
// delete may be reused by a later create, but such a znode has czxid > S and is never saved
// nor walked, so an address in `saved` always means the znode that was there at S.
#include "store/tree/data_tree.hpp"
#include "store/tree/znode.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace paddock::store {

// A znode as it was at S, copied before its first change since. `image` keeps its Stat and
// ACL reference; its views (path, data) are left empty, as the live znode's bytes change:
// the bytes are owned here.
struct saved_znode {
  std::string name;
  std::string data;
  znode_image image;
  bool deleted = false; // the znode is gone from the live tree: never dereference its address
};

struct cow_snapshot {
  int64_t zxid = 0; // S
  std::vector<std::pair<uint32_t, jute::acl_list>> acls;
  std::vector<session_entry> sessions;
  std::unordered_map<const znode*, saved_znode> saved;
  // Children (at S) deleted since S, by their parent's address: the walk finds them here, as
  // they are no longer in the parent's child table.
  std::unordered_map<const znode*, std::vector<const znode*>> deleted_children;

  // The walk: one frame per znode on the path from the root to the last one yielded, with
  // the children (as of S) still to visit. A frame's list is taken when its znode is
  // yielded; a child created later has czxid > S and belongs to no frame, a child deleted
  // later is found in `saved` by its address.
  struct frame {
    std::vector<const znode*> children;
    size_t next = 0;
    size_t path_length = 0; // of `path` for this frame's znode
  };
  std::vector<frame> stack;
  std::string path;
  bool root_done = false;
};

} // namespace paddock::store
