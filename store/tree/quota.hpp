#pragma once
// ZooKeeper's quota bookkeeping, the pure part (Quotas, StatsTrack, PathTrie's longest
// prefix). A quota on /a is the znode /zookeeper/quota/a/zookeeper_limits; its usage is the
// data of /zookeeper/quota/a/zookeeper_stats, "count=N,bytes=M", which the server keeps up
// to date in place (no version or mzxid change) as znodes under /a are created, deleted or
// changed. Only the longest quota'd prefix of a path is updated (a nested quota hides the
// outer one), and only while its stats znode exists. 3.8 only warns when a limit is passed
// (zookeeper.enforceQuota defaults to false); Paddock warns the same way (quota_warnings) and
// does not enforce.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::store {

inline constexpr std::string_view quota_root = "/zookeeper/quota";
inline constexpr std::string_view quota_limit_node = "zookeeper_limits";
inline constexpr std::string_view quota_stat_node = "zookeeper_stats";

// The quota'd path a znode under /zookeeper/quota/... belongs to: "/zookeeper/quota/a/b" ->
// "/a/b" (Quotas.trimQuotaPath). nullopt for any other parent, and for the quota root itself.
std::optional<std::string_view> quota_target(std::string_view parent);

// "/a/b" -> "/zookeeper/quota/a/b/zookeeper_stats" (Quotas.statPath).
std::string quota_stat_path(std::string_view target);

// "/a/b" -> "/zookeeper/quota/a/b/zookeeper_limits".
std::string quota_limit_path(std::string_view target);

// StatsTrack: "count=N,bytes=M", with ",countHardLimit=…" / ",byteHardLimit=…" when set.
// Unknown keys and unparsable values are dropped; a missing value is -1.
struct stats_track {
  int64_t count = -1;
  int64_t bytes = -1;
  int64_t count_hard_limit = -1;
  int64_t byte_hard_limit = -1;
  friend bool operator==(const stats_track&, const stats_track&) = default;
};
stats_track parse_stats_track(std::string_view text);
std::string to_string(const stats_track& s);

// The "Quota exceeded" warnings (ZooKeeper logs a WARN too; the wording is ours) for `target` whose
// usage is now `usage`: one per soft limit (count, bytes) that is set (> -1) and passed. Empty when
// none is.
std::vector<std::string> quota_warnings(std::string_view target, const stats_track& usage,
                                        const stats_track& limits);

// The longest prefix of `path`, on component boundaries, that holds a quota (PathTrie's
// findMaxPrefix); "" when none does, and never "/zookeeper" (getMaxPrefixWithQuota).
std::string_view max_quota_prefix(const std::set<std::string, std::less<>>& quotas,
                                  std::string_view path);

} // namespace paddock::store
