// The snapshot image (store/disk/snapshot): every ACL list and every znode out, parent
// before children, and a fresh tree rebuilt from them, its quotas recounted at the end.
#include "store/tree/data_tree_impl.hpp"
#include "store/tree/path.hpp"

namespace paddock::store {
namespace {

using data_tree_detail::special_path;

} // namespace

znode_image data_tree_detail::image_of(const znode& n) {
  znode_image img;
  img.data = n.data();
  img.data_is_null = n.data_is_null();
  img.czxid = n.czxid;
  img.mzxid = n.mzxid;
  img.pzxid = n.pzxid;
  img.ctime = n.ctime;
  img.mtime = n.mtime;
  img.ephemeral_owner = n.ephemeral_owner;
  img.version = n.version;
  img.cversion = n.cversion;
  img.aversion = n.aversion;
  img.acl_ref = n.acl;
  img.num_children = static_cast<uint32_t>(n.child_count());
  return img;
}

void data_tree::for_each_acl(
    const std::function<void(uint32_t ref, const jute::acl_list&)>& fn) const {
  impl_->acls.for_each(fn);
}

void data_tree::for_each_node(const std::function<void(const znode_image&)>& fn) const {
  // Depth first with an explicit stack (chains of znodes can be deeper than the C++ stack).
  struct frame {
    const znode* node;
    size_t path_length; // the length of `path` for this node
  };
  std::string path;
  std::vector<frame> stack{{impl_->root.get(), 0}};
  while (!stack.empty()) {
    auto [n, length] = stack.back();
    stack.pop_back();
    path.resize(length);
    if (n != impl_->root.get()) {
      path += '/';
      path += n->name();
    }
    znode_image img = data_tree_detail::image_of(*n);
    img.path = path;
    fn(img);
    if (n->children)
      for (const auto& c : *n->children)
        stack.push_back({c.get(), path.size()});
  }
}

bool data_tree::restore_node(const znode_image& img, const jute::acl_list& acl) {
  auto& t = *impl_;
  znode* n = nullptr;
  if (img.path.empty() || special_path(img.path)) {
    // The root and /zookeeper, /zookeeper/quota, /zookeeper/config exist in every tree.
    n = t.find(img.path);
    t.data_size += static_cast<int64_t>(img.data.size()) - static_cast<int64_t>(n->data().size());
    n->set_data(img.data, img.data_is_null);
    auto ref = t.acls.acquire(acl);
    t.acls.release(n->acl);
    n->acl = ref;
  } else {
    auto last_slash = img.path.rfind('/');
    if (last_slash == std::string_view::npos) return false;
    // Snapshots list a parent's children one after another: look the parent up once.
    auto parent_path = img.path.substr(0, last_slash);
    if (!t.restore_parent || t.restore_parent_path != parent_path) {
      t.restore_parent = t.find(parent_path);
      t.restore_parent_path = parent_path;
    }
    znode* parent = t.restore_parent;
    if (!parent) return false;
    auto child =
        std::make_unique<znode>(img.path.substr(last_slash + 1), img.data, img.data_is_null);
    n = child.get();
    if (!parent->children) parent->children = std::make_unique<child_set>();
    if (!parent->children->insert(std::move(child)).second) return false; // a duplicate
    ++t.nodes;
    t.data_size += static_cast<int64_t>(utf16_length(img.path) + img.data.size());
    n->acl = t.acls.acquire(acl);
    switch (ephemeral_type_of(img.ephemeral_owner)) {
    case ephemeral_type::container: t.container_paths.emplace(img.path); break;
    case ephemeral_type::ttl: t.ttl_paths.emplace(img.path); break;
    case ephemeral_type::session: t.ephemerals[img.ephemeral_owner].emplace(img.path); break;
    case ephemeral_type::none: break;
    }
  }
  if (img.num_children > 0) {
    if (!n->children) n->children = std::make_unique<child_set>();
    n->children->reserve(img.num_children); // one allocation instead of a rehash per doubling
  }
  n->czxid = img.czxid;
  n->mzxid = img.mzxid;
  n->pzxid = img.pzxid;
  n->ctime = img.ctime;
  n->mtime = img.mtime;
  n->ephemeral_owner = img.ephemeral_owner;
  n->version = img.version;
  n->cversion = img.cversion;
  n->aversion = img.aversion;
  return true;
}

void data_tree::restore_session(const session_entry& s) {
  impl_->session_timeouts[s.id] = {s.timeout_ms, s.passwd};
}

void data_tree::restore_last_zxid(int64_t zxid) {
  impl_->last_zxid = zxid;
  impl_->restore_parent = nullptr; // restoring is over; the cache must not outlive it
  impl_->restore_parent_path.clear();
  impl_->setup_quota();
  impl_->recompute_digest(*this); // the root and /zookeeper were overwritten in place
}

} // namespace paddock::store
