#include "tools/bench/znodes.hpp"

#include <cstdio>

namespace paddock::bench {

std::string key_path(const options& opt, size_t key) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "/k%010zu", key);
  return opt.root + buf;
}

std::string created_path(const options& opt, int64_t session_id, uint64_t n) {
  // The session id makes names unique across runs and concurrent benches.
  char buf[64];
  std::snprintf(buf, sizeof buf, "/c-%016llx-%llu", static_cast<unsigned long long>(session_id),
                static_cast<unsigned long long>(n));
  return opt.root + buf;
}

std::string make_value(size_t size) {
  std::string v(size, '\0');
  for (size_t i = 0; i < size; ++i)
    v[i] = static_cast<char>('a' + i % 26);
  return v;
}

uint64_t preload_group_count(uint64_t znodes) {
  return (znodes + preload_group_size - 1) / preload_group_size;
}

std::string preload_group_path(const options& opt, uint64_t group) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/g%04llu", static_cast<unsigned long long>(group));
  return opt.root + buf;
}

std::string preload_znode_path(const options& opt, uint64_t znode) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/z%07llu", static_cast<unsigned long long>(znode));
  return preload_group_path(opt, znode / preload_group_size) + buf;
}

} // namespace paddock::bench
