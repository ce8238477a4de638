#pragma once
// One znode as the data tree stores it: ZooKeeper's StatPersisted, an ACL reference, the
// name and data in one heap block, and the children keyed by name. No full path is stored:
// paths are resolved by walking names from the root, with string_view lookups that do not
// allocate.
#include "store/tree/acl_table.hpp"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_set>

namespace paddock::store {

class znode;

struct znode_name_hash {
  using is_transparent = void;
  size_t operator()(std::string_view name) const noexcept {
    return std::hash<std::string_view>{}(name);
  }
  size_t operator()(const std::unique_ptr<znode>& n) const noexcept;
};

struct znode_name_eq {
  using is_transparent = void;
  static std::string_view key(std::string_view name) { return name; }
  static std::string_view key(const std::unique_ptr<znode>& n);
  template <class A, class B> bool operator()(const A& a, const B& b) const noexcept {
    return key(a) == key(b);
  }
};

// The hash is noexcept and cheap, so libstdc++ does not cache it: 8 bytes less per child.
using child_set = std::unordered_set<std::unique_ptr<znode>, znode_name_hash, znode_name_eq>;

class znode {
public:
  // `data_is_null`: ZooKeeper's DataNode.data may be a null byte[] (a client sent a -1
  // length), which getData answers with -1 rather than an empty buffer; `data` is empty then.
  znode(std::string_view name, std::string_view data, bool data_is_null = false) {
    assign(name, data, data_is_null);
  }

  std::string_view name() const { return {bytes_.get(), name_size_}; }
  // Empty for null data: every size count (Stat.dataLength, quotas) takes null as 0 bytes.
  std::string_view data() const {
    return {bytes_.get() + name_size_, data_is_null() ? 0 : data_size_};
  }
  bool data_is_null() const { return data_size_ == null_data_size; }
  // Safe although name() points into the old block: assign copies before it frees.
  void set_data(std::string_view data, bool data_is_null = false) {
    assign(name(), data, data_is_null);
  }

  size_t child_count() const { return children ? children->size() : 0; }
  znode* child(std::string_view name) const {
    if (!children) return nullptr;
    auto it = children->find(name);
    return it == children->end() ? nullptr : it->get();
  }

  // StatPersisted. cversion counts child creations (the client sees 2 * cversion - children).
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t pzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int64_t ephemeral_owner = 0; // session id, or the container / TTL encodings
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  acl_table::ref acl = 0;
  std::unique_ptr<child_set> children; // null while the node has never had a child

private:
  // Null is a data size no znode can have (jute.maxbuffer bounds data far below 4 GiB), so
  // it costs no byte per znode.
  static constexpr uint32_t null_data_size = UINT32_MAX;

  void assign(std::string_view name, std::string_view data, bool data_is_null) {
    if (data_is_null) data = {};
    auto size = name.size() + data.size();
    auto block = size ? std::make_unique_for_overwrite<char[]>(size) : nullptr;
    if (!name.empty()) std::memcpy(block.get(), name.data(), name.size());
    if (!data.empty()) std::memcpy(block.get() + name.size(), data.data(), data.size());
    bytes_ = std::move(block);
    name_size_ = static_cast<uint32_t>(name.size());
    data_size_ = data_is_null ? null_data_size : static_cast<uint32_t>(data.size());
  }

  std::unique_ptr<char[]> bytes_;
  uint32_t name_size_ = 0;
  uint32_t data_size_ = 0;
};

inline size_t znode_name_hash::operator()(const std::unique_ptr<znode>& n) const noexcept {
  return (*this)(n->name());
}
inline std::string_view znode_name_eq::key(const std::unique_ptr<znode>& n) {
  return n->name();
}

} // namespace paddock::store
