// The data tree's digest (tree_digest.hpp): the switch, the term of one znode, the recompute.
#include "store/tree/data_tree_impl.hpp"
#include "store/tree/tree_digest.hpp"

#include <atomic>

namespace paddock::store {
namespace {

// Set once at start, before any tree is made; read by each tree as it is made.
std::atomic<bool> digests_enabled{true};

} // namespace

void data_tree::set_digest_enabled(bool on) {
  digests_enabled.store(on, std::memory_order_relaxed);
}

bool data_tree::digest_enabled() {
  return digests_enabled.load(std::memory_order_relaxed);
}

std::optional<int64_t> data_tree::digest() const {
  if (!impl_->digest_on) return std::nullopt;
  return static_cast<int64_t>(impl_->digest);
}

int64_t data_tree::impl::node_term(std::string_view path, const znode& n) {
  znode_image img = data_tree_detail::image_of(n);
  img.path = path;
  return node_digest(img);
}

node_digest_prefix data_tree::impl::node_prefix(std::string_view path, const znode& n) {
  return node_digest_prefix_of(path, n.data(), n.data_is_null());
}

int64_t data_tree::impl::node_term(const node_digest_prefix& prefix, const znode& n) {
  return node_digest_with_stat(prefix, data_tree_detail::image_of(n));
}

void data_tree::impl::recompute_digest(const data_tree& tree) {
  digest_on = data_tree::digest_enabled();
  digest = digest_on ? static_cast<uint64_t>(compute_tree_digest(tree)) : 0;
}

} // namespace paddock::store
