// The copy-on-write snapshot (data_tree.hpp, begin_snapshot): the tree as it was at S,
// yielded a slice at a time while txns go on changing it. Before a znode that existed at S
// changes (data, Stat, ACL, its children) or goes, its image at S is saved once
// (before_change / before_delete in data_tree_impl.hpp); the walk yields the saved image
// where there is one and the live znode otherwise, and skips znodes created after S.
#include "store/tree/data_tree_impl.hpp"

#include <cassert>

namespace paddock::store {
namespace {

using data_tree_detail::image_of;

// The saved image, its data pointing into the saved copy.
znode_image image_of(const saved_znode& n) {
  znode_image img = n.image;
  img.data = n.data;
  return img;
}

} // namespace

void data_tree::impl::save_for_snapshot(const znode& n) {
  auto& s = *snapshot;
  if (n.czxid > s.zxid) return; // created after S: not in the image
  auto [it, fresh] = s.saved.try_emplace(&n);
  if (!fresh) return; // saved at its first change already
  auto& saved = it->second;
  saved.name = n.name();
  saved.data = n.data();
  saved.image = image_of(n);
  saved.image.data = {}; // the live bytes: image_of(saved) points at the copy instead
}

void data_tree::impl::save_deleted_for_snapshot(const znode& n, const znode& parent) {
  auto& s = *snapshot;
  if (n.czxid > s.zxid) return;
  save_for_snapshot(n);
  s.saved[&n].deleted = true;
  // Only a leaf can be deleted, so `parent` lived from S until now: its address is its own.
  s.deleted_children[&parent].push_back(&n);
}

void data_tree::begin_snapshot() {
  auto& t = *impl_;
  assert(!t.snapshot);
  auto s = std::make_unique<cow_snapshot>();
  s->zxid = t.last_zxid;
  t.acls.for_each(
      [&](uint32_t ref, const jute::acl_list& acls) { s->acls.emplace_back(ref, acls); });
  s->sessions = sessions();
  t.snapshot = std::move(s);
}

bool data_tree::snapshot_in_progress() const {
  return impl_->snapshot != nullptr;
}

int64_t data_tree::snapshot_zxid() const {
  return impl_->snapshot ? impl_->snapshot->zxid : 0;
}

const std::vector<std::pair<uint32_t, jute::acl_list>>& data_tree::snapshot_acls() const {
  return impl_->snapshot->acls;
}

const std::vector<session_entry>& data_tree::snapshot_sessions() const {
  return impl_->snapshot->sessions;
}

void data_tree::end_snapshot() {
  impl_->snapshot.reset();
}

bool data_tree::next_snapshot_nodes(size_t max_nodes,
                                    const std::function<void(const znode_image&)>& fn) {
  auto& s = *impl_->snapshot;
  // Yields `n` (its image at S) under s.path and pushes the frame of its children at S.
  auto visit = [&](const znode* n) {
    const saved_znode* saved = nullptr;
    if (!s.saved.empty())
      if (auto it = s.saved.find(n); it != s.saved.end()) saved = &it->second;
    znode_image img = saved ? image_of(*saved) : image_of(*n);
    img.path = s.path;
    fn(img);
    cow_snapshot::frame f;
    f.path_length = s.path.size();
    if ((!saved || !saved->deleted) && n->children) {
      f.children.reserve(n->children->size());
      for (const auto& c : *n->children)
        if (c->czxid <= s.zxid) f.children.push_back(c.get());
    }
    if (!s.deleted_children.empty())
      if (auto it = s.deleted_children.find(n); it != s.deleted_children.end()) {
        // Deleted before this frame was taken: not in the child table any more. Those
        // deleted later are in the table's copy above, and found in `saved`.
        f.children.insert(f.children.end(), it->second.begin(), it->second.end());
        s.deleted_children.erase(it);
      }
    if (!f.children.empty()) s.stack.push_back(std::move(f));
  };

  size_t budget = max_nodes;
  if (!s.root_done && budget > 0) {
    s.root_done = true;
    s.path.clear();
    visit(impl_->root.get());
    --budget;
  }
  while (budget > 0 && !s.stack.empty()) {
    auto& f = s.stack.back();
    if (f.next == f.children.size()) {
      s.stack.pop_back();
      continue;
    }
    const znode* c = f.children[f.next++];
    s.path.resize(f.path_length);
    s.path += '/';
    auto it = s.saved.empty() ? s.saved.end() : s.saved.find(c);
    if (it != s.saved.end())
      s.path += it->second.name;
    else
      s.path += c->name();
    visit(c); // may push a frame: `f` is not used after this
    --budget;
  }
  while (!s.stack.empty() && s.stack.back().next == s.stack.back().children.size())
    s.stack.pop_back();
  return !s.stack.empty() || !s.root_done;
}

} // namespace paddock::store
