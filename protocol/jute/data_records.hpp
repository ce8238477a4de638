#pragma once
// The records of zookeeper.jute's module org.apache.zookeeper.data: Id, ACL, Stat.
// Shared by the codec and the data tree.
#include <cstdint>
#include <string>
#include <vector>

namespace paddock::jute {

struct id {
  std::string scheme;
  std::string ident; // jute field "id"
  friend bool operator==(const id&, const id&) = default;
  friend auto operator<=>(const id&, const id&) = default;
};

struct acl {
  int32_t perms = 0;
  jute::id id;
  friend bool operator==(const acl&, const acl&) = default;
  friend auto operator<=>(const acl&, const acl&) = default;
};

using acl_list = std::vector<acl>;

// Stat as a client sees it (not StatPersisted: cversion here is the client-visible value).
struct stat {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  int64_t ephemeral_owner = 0;
  int32_t data_length = 0;
  int32_t num_children = 0;
  int64_t pzxid = 0;
  friend bool operator==(const stat&, const stat&) = default;
};

// ZooDefs.Ids
inline acl_list open_acl_unsafe() {
  return {acl{31, id{"world", "anyone"}}};
}
inline acl_list read_acl_unsafe() {
  return {acl{1, id{"world", "anyone"}}};
}

} // namespace paddock::jute
