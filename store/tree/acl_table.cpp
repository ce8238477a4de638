#include "store/tree/acl_table.hpp"

#include "store/tree/acl.hpp"

namespace paddock::store {

acl_table::ref acl_table::acquire(const jute::acl_list& acls) {
  if (auto it = index_.find(acls); it != index_.end()) {
    ++entries_[it->second].uses;
    return it->second;
  }
  ref r;
  if (!free_.empty()) {
    r = free_.back();
    free_.pop_back();
  } else {
    r = static_cast<ref>(entries_.size());
    entries_.emplace_back();
  }
  entries_[r].acls = std::make_shared<const jute::acl_list>(acls);
  entries_[r].uses = 1;
  entries_[r].world_readable = world_readable(acls);
  index_.emplace(acls, r);
  return r;
}

void acl_table::release(ref r) {
  auto& e = entries_[r];
  if (--e.uses > 0) return;
  index_.erase(*e.acls);
  e.acls.reset(); // an event still in flight keeps its own reference
  e.world_readable = true;
  free_.push_back(r);
}

} // namespace paddock::store
