#pragma once
// The znodes a bench run makes, named and filled the same way by every client (paddock-bench
// and paddock-bench-zkc), so their figures describe the same work on the server:
//   <root>/k0000000042             the pre-created keys of get / set / mixed
//   <root>/c-<session hex>-<n>     the create workload's nodes, unique per session and run
//   <root>/g0001/z0001234          --hold's preloaded tree, 1,000 znodes per group
#include "tools/bench/options.hpp"

#include <cstdint>
#include <string>

namespace paddock::bench {

std::string key_path(const options& opt, size_t key);
std::string created_path(const options& opt, int64_t session_id, uint64_t n);

// A recognisable value of the requested size (not all zeros, so truncation would show).
std::string make_value(size_t size);

// The preloaded tree fans out so that no znode holds a million children (an edge case with
// costs of its own, not the scenario being measured).
inline constexpr uint64_t preload_group_size = 1000;
uint64_t preload_group_count(uint64_t znodes);
std::string preload_group_path(const options& opt, uint64_t group);
std::string preload_znode_path(const options& opt, uint64_t znode);

} // namespace paddock::bench
