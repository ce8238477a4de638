#include "tools/bench/preload_spec.hpp"

#include <charconv>
#include <limits>

namespace paddock::bench {

namespace {

std::optional<uint64_t> parse_count(std::string_view text) {
  uint64_t scale = 1;
  if (!text.empty() && (text.back() == 'k' || text.back() == 'K')) scale = 1000;
  if (!text.empty() && text.back() == 'M') scale = 1000000;
  if (scale != 1) text.remove_suffix(1);
  uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  if (value > std::numeric_limits<uint64_t>::max() / scale) return std::nullopt;
  return value * scale;
}

// Built by appending: GCC 12 warns (-Wrestrict, a false positive) on "'" + std::string(...).
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

} // namespace

std::optional<preload_spec> parse_preload_spec(std::string_view text, std::string& error) {
  preload_spec spec;
  bool seen_znodes = false, seen_sessions = false, seen_watches = false;
  if (text.empty()) {
    error = "empty preload spec (want znodes=N,sessions=N,watches=N)";
    return std::nullopt;
  }
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      error = quoted(item) + " is not key=value";
      return std::nullopt;
    }
    auto key = item.substr(0, eq);
    auto value = parse_count(item.substr(eq + 1));
    if (!value) {
      error = "bad number in " + quoted(item);
      return std::nullopt;
    }
    bool* seen = nullptr;
    uint64_t* slot = nullptr;
    if (key == "znodes") seen = &seen_znodes, slot = &spec.znodes;
    if (key == "sessions") seen = &seen_sessions, slot = &spec.sessions;
    if (key == "watches") seen = &seen_watches, slot = &spec.watches;
    if (slot == nullptr) {
      error = "unknown key " + quoted(key) + " (want znodes, sessions, watches)";
      return std::nullopt;
    }
    if (*seen) {
      error = quoted(key) + " given twice";
      return std::nullopt;
    }
    *seen = true;
    *slot = *value;
  }
  if (spec.watches > 0 && spec.sessions == 0) {
    error = "watches need sessions to hold them";
    return std::nullopt;
  }
  if (spec.watches > spec.znodes) {
    error = "at most one watch per znode (watches <= znodes)";
    return std::nullopt;
  }
  return spec;
}

std::string to_string(const preload_spec& spec) {
  return "znodes=" + std::to_string(spec.znodes) + ",sessions=" + std::to_string(spec.sessions) +
         ",watches=" + std::to_string(spec.watches);
}

} // namespace paddock::bench
