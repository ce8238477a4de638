#pragma once
// Identical ACL lists stored once, reference counted, as ZooKeeper's ReferenceCountedACLCache:
// a million znodes usually share a handful of ACLs, so a znode keeps a 4-byte reference.
#include "protocol/jute/data_records.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace paddock::store {

class acl_table {
public:
  using ref = uint32_t;

  // Returns the reference of `acls`, adding one use (storing the list if it is new).
  ref acquire(const jute::acl_list& acls);
  // Drops one use; the list is forgotten with its last use.
  void release(ref r);
  const jute::acl_list& get(ref r) const {
    const auto& acls = entries_[r].acls;
    return acls ? *acls : empty_;
  }
  // The list for a watch event's READ check, or null when anyone may read it (the usual
  // case: no check, nothing copied). Shared, so an event keeps the list it was fired with
  // after the node's ACL changes or the node goes.
  const std::shared_ptr<const jute::acl_list>& event_acl(ref r) const {
    return entries_[r].world_readable ? null_ : entries_[r].acls;
  }
  size_t size() const { return index_.size(); } // distinct lists in use
  // Every list in use with its reference.
  template <class F> void for_each(F&& fn) const {
    for (const auto& [acls, r] : index_)
      fn(r, acls);
  }

private:
  struct entry {
    std::shared_ptr<const jute::acl_list> acls; // null while the slot is free
    uint32_t uses = 0;
    bool world_readable = true; // store::world_readable(*acls), decided once
  };
  static inline const jute::acl_list empty_{};
  static inline const std::shared_ptr<const jute::acl_list> null_{};
  std::vector<entry> entries_;
  std::vector<ref> free_;
  std::map<jute::acl_list, ref> index_;
};

} // namespace paddock::store
