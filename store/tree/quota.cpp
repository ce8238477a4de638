#include "store/tree/quota.hpp"

#include <charconv>

namespace paddock::store {

std::optional<std::string_view> quota_target(std::string_view parent) {
  if (parent.size() <= quota_root.size() + 1 || parent.substr(0, quota_root.size()) != quota_root ||
      parent[quota_root.size()] != '/')
    return std::nullopt;
  return parent.substr(quota_root.size());
}

std::string quota_stat_path(std::string_view target) {
  std::string out(quota_root);
  out += target;
  out += '/';
  out += quota_stat_node;
  return out;
}

std::string quota_limit_path(std::string_view target) {
  std::string out(quota_root);
  out += target;
  out += '/';
  out += quota_limit_node;
  return out;
}

std::vector<std::string> quota_warnings(std::string_view target, const stats_track& usage,
                                        const stats_track& limits) {
  std::vector<std::string> out;
  auto passed = [&](const char* what, int64_t used, int64_t limit) {
    if (limit > -1 && used > limit)
      out.push_back("Quota exceeded: " + std::string(target) + " " + what + "=" +
                    std::to_string(used) + " limit=" + std::to_string(limit));
  };
  passed("count", usage.count, limits.count);
  passed("bytes", usage.bytes, limits.bytes);
  return out;
}

stats_track parse_stats_track(std::string_view text) {
  stats_track s;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto pair = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    auto key = pair.substr(0, eq);
    auto value = pair.substr(eq + 1);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc{} || end != value.data() + value.size()) continue;
    if (key == "count")
      s.count = v;
    else if (key == "bytes")
      s.bytes = v;
    else if (key == "countHardLimit")
      s.count_hard_limit = v;
    else if (key == "byteHardLimit")
      s.byte_hard_limit = v;
  }
  return s;
}

std::string to_string(const stats_track& s) {
  std::string out = "count=" + std::to_string(s.count) + ",bytes=" + std::to_string(s.bytes);
  if (s.count_hard_limit != -1) out += ",countHardLimit=" + std::to_string(s.count_hard_limit);
  if (s.byte_hard_limit != -1) out += ",byteHardLimit=" + std::to_string(s.byte_hard_limit);
  return out;
}

std::string_view max_quota_prefix(const std::set<std::string, std::less<>>& quotas,
                                  std::string_view path) {
  if (quotas.empty() || path.empty() || path[0] != '/') return {};
  std::string_view best;
  size_t pos = 1;
  for (;;) {
    auto slash = path.find('/', pos);
    auto prefix = slash == std::string_view::npos ? path : path.substr(0, slash);
    if (prefix != "/zookeeper" && quotas.contains(prefix)) best = prefix;
    if (slash == std::string_view::npos) return best;
    pos = slash + 1;
  }
}

} // namespace paddock::store
