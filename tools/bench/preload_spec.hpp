#pragma once
// The scale scenario's size, as the scripts and paddock-bench --hold take it:
// "znodes=1000000,sessions=10000,watches=100000" (k and M suffixes allowed: "znodes=1M").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::bench {

struct preload_spec {
  uint64_t znodes = 0;   // created under the root, fanned out in groups (znodes.hpp)
  uint64_t sessions = 0; // idle sessions kept open (pinging) until told to stop
  uint64_t watches = 0;  // getData / exists watches on distinct znodes, over those sessions

  bool operator==(const preload_spec&) const = default;
};

// nullopt with `error` saying why: unknown or repeated key, bad number, or sizes that do not
// fit together (watches need sessions to hold them and at most one watch per znode, so that
// every watch is distinct on the server).
std::optional<preload_spec> parse_preload_spec(std::string_view text, std::string& error);

// The canonical form, readable by parse_preload_spec.
std::string to_string(const preload_spec& spec);

} // namespace paddock::bench
