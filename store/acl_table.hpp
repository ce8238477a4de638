#pragma once
// Identical ACL lists stored once, reference counted, as ZooKeeper's ReferenceCountedACLCache:
// a million znodes usually share a handful of ACLs, so a znode keeps a 4-byte reference.
#include "protocol/jute/data_records.hpp"

#include <cstdint>
#include <map>
#include <vector>

namespace paddock::store {

class acl_table {
public:
  using ref = uint32_t;

  // Returns the reference of `acls`, adding one use (storing the list if it is new).
  ref acquire(const jute::acl_list& acls);
  // Drops one use; the list is forgotten with its last use.
  void release(ref r);
  const jute::acl_list& get(ref r) const { return entries_[r].acls; }
  size_t size() const { return index_.size(); } // distinct lists in use
  // Every list in use with its reference.
  template <class F> void for_each(F&& fn) const {
    for (const auto& [acls, r] : index_)
      fn(r, acls);
  }

private:
  struct entry {
    jute::acl_list acls;
    uint32_t uses = 0;
  };
  std::vector<entry> entries_;
  std::vector<ref> free_;
  std::map<jute::acl_list, ref> index_;
};

} // namespace paddock::store
