// zkCli's quota commands: setquota, listquota, delquota. A quota is the data of
// /zookeeper/quota/PATH/zookeeper_limits (StatsTrack text); the server keeps the usage in
// zookeeper_stats beside it. The steps, checks and messages are SetQuotaCommand's,
// ListQuotaCommand's and DelQuotaCommand's.
#include "protocol/jute/error_code.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/zk_text.hpp"

#include <charconv>

namespace paddock::cli {

namespace {

constexpr int32_t no_node = static_cast<int32_t>(jute::error_code::no_node);
constexpr int32_t node_exists = static_cast<int32_t>(jute::error_code::node_exists);

// The quota options: soft -n count, -b bytes; hard -N count, -B bytes.
struct quota_key {
  const char* option;
  const char* key;
  bool is_count;
};
constexpr quota_key quota_keys[] = {{"n", "count", true},
                                    {"b", "bytes", false},
                                    {"N", "countHardLimit", true},
                                    {"B", "byteHardLimit", false}};

std::string trim_quota_path(const std::string& quota_path) {
  return quota_path.substr(quota_root.size());
}

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 1;
  while (i < path.size()) {
    auto slash = path.find('/', i);
    out.push_back(path.substr(i, slash == std::string::npos ? slash : slash - i));
    if (slash == std::string::npos) break;
    i = slash + 1;
  }
  return out;
}

bool create_if_missing(session& s, const std::string& path, const std::string* data, result& r) {
  jute::create_request req;
  req.path = path;
  req.acls = jute::open_acl_unsafe();
  req.data_is_null = data == nullptr;
  if (data) req.data = *data;
  auto c = create(s, req);
  return c.ok() || c.err == node_exists || succeeded(c, path, r);
}

std::optional<stats_track> read_track(session& s, const std::string& path, result& r) {
  auto d = get_data(s, path, false);
  if (!succeeded(d, path, r)) return std::nullopt;
  auto t = parse_stats_track(d.value->data);
  if (!t) r.fail(exit_failed, "cannot read the quota record at " + path, "malformed");
  return t;
}

// SetQuotaCommand.checkQuota: warnings when the new limit is already below the usage.
void check_quota(const stats_track& quota, const stats_track& stats, result& r) {
  auto below = [](int64_t limit, int64_t used) { return limit > -1 && limit < used; };
  if (below(quota.get("count"), stats.get("count")) ||
      below(quota.get("countHardLimit"), stats.get("count")))
    r.out += "[Warning]: the count quota you create is less than the existing count:" +
             std::to_string(stats.get("count")) + "\n";
  if (below(quota.get("bytes"), stats.get("bytes")) ||
      below(quota.get("byteHardLimit"), stats.get("bytes")))
    r.out += "[Warning]: the bytes quota you create is less than the existing bytes:" +
             std::to_string(stats.get("bytes")) + "\n";
}

// No quota may sit above or below another: SetQuotaCommand's checkIfChildQuota and
// checkIfParentQuota.
bool quota_conflict(session& s, const std::string& path, result& r) {
  std::string own = std::string(quota_root) + path;
  auto tree = list_subtree(s, own);
  if (tree.ok()) {
    for (const auto& node : *tree.value) {
      if (node == own) continue;
      auto children = get_children(s, node, false);
      if (!children.ok()) continue;
      for (const auto& child : children.value->children)
        if (child == "zookeeper_limits") {
          r.fail(exit_failed, path + " has a child " + trim_quota_path(node) + " which has a quota",
                 "QuotaConflict");
          return true;
        }
    }
  }
  auto parts = components(path);
  std::string ancestor(quota_root);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    ancestor += "/" + parts[i];
    auto children = get_children(s, ancestor, false);
    if (!children.ok() || children.value->children.empty()) return false;
    for (const auto& child : children.value->children)
      if (child == "zookeeper_limits") {
        r.fail(exit_failed,
               path + " has a parent " + trim_quota_path(ancestor) + " which has a quota",
               "QuotaConflict");
        return true;
      }
  }
  return false;
}

void setquota(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  r.json.add("path", path);
  // zkCli prints these refusals and exits 0; paddock-cli exits 1.
  if (path.starts_with(quota_root))
    return r.fail(exit_failed, "cannot set a quota under the path: " + std::string(quota_root),
                  "refused");
  stats_track quota;
  bool any = false;
  for (const auto& k : quota_keys) {
    quota.set(k.key, -1);
    auto text = c.value(k.option);
    if (!text) continue;
    any = true;
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || ptr != text->data() + text->size())
      return r.fail(exit_failed, "NumberFormatException happens when parsing the option value",
                    "usage");
    if (k.is_count && v <= 0)
      return r.fail(exit_failed, "the num quota must be greater than zero", "usage");
    if (!k.is_count && v < 0)
      return r.fail(exit_failed, "the bytes quota must be greater than or equal to zero", "usage");
    quota.set(k.key, v);
  }
  if (!any) return r.fail(exit_usage, "setquota -n|-b|-N|-B val path", "usage");
  if (!valid_path(path, r)) return;
  session& s = *st.session;
  auto there = exists(s, path, false);
  if (there.err == no_node) return r.fail(exit_failed, path + " does not exist.", "NoNode");
  if (!succeeded(there, path, r)) return;
  if (quota_conflict(s, path, r)) return;
  if (!exists(s, std::string(quota_root), false).ok()) {
    if (!create_if_missing(s, "/zookeeper", nullptr, r) ||
        !create_if_missing(s, std::string(quota_root), nullptr, r))
      return;
  }
  std::string node(quota_root);
  for (const auto& part : components(path)) {
    node += "/" + part;
    if (!exists(s, node, false).ok() && !create_if_missing(s, node, nullptr, r)) return;
  }
  auto limits = quota_limit_path(path), stats = quota_stat_path(path);
  bool fresh = !exists(s, limits, false).ok();
  if (fresh) {
    auto text = quota.to_string();
    std::string zero = "count=0,bytes=0";
    if (!create_if_missing(s, limits, &text, r) || !create_if_missing(s, stats, &zero, r)) return;
  } else {
    auto old = read_track(s, limits, r);
    if (!old) return;
    for (const auto& k : quota_keys)
      if (quota.get(k.key) > -1) old->set(k.key, quota.get(k.key));
    quota = *old;
  }
  auto usage = read_track(s, stats, r);
  if (!usage) return;
  check_quota(quota, *usage, r);
  if (!fresh && !succeeded(set_data(s, limits, quota.to_string(), -1), limits, r)) return;
  r.json.add("quota", quota.to_string());
}

void listquota(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  r.err = "absolute path is " + quota_limit_path(path) + "\n";
  r.json.add("path", path);
  auto limits = get_data(*st.session, quota_limit_path(path), false);
  auto stats = limits.ok() ? get_data(*st.session, quota_stat_path(path), false) : limits;
  if (limits.err == no_node || stats.err == no_node)
    return r.fail(exit_failed, "quota for " + path + " does not exist.", "NoNode");
  if (!succeeded(limits, path, r) || !succeeded(stats, path, r)) return;
  auto quota = parse_stats_track(limits.value->data);
  auto usage = parse_stats_track(stats.value->data);
  if (!quota || !usage)
    return r.fail(exit_failed, "cannot read the quota records of " + path, "malformed");
  r.out = "Output quota for " + path + " " + quota->to_string() + "\n" + "Output stat for " + path +
          " " + usage->to_string() + "\n";
  r.json.add("quota", quota->to_string()).add("stat", usage->to_string());
}

// DelQuotaCommand.trimProcQuotas: quota directories left empty go, up to /zookeeper/quota.
bool trim_empty(session& s, std::string path, result& r) {
  while (path != quota_root) {
    auto children = get_children(s, path, false);
    if (!succeeded(children, path, r)) return false;
    if (!children.value->children.empty()) return true;
    auto d = remove(s, path, -1);
    if (!succeeded(d, path, r)) return false;
    path = path.substr(0, path.rfind('/'));
  }
  return true;
}

void delquota(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  r.json.add("path", path);
  session& s = *st.session;
  auto limits = quota_limit_path(path);
  if (!exists(s, limits, false).ok()) {
    r.out = "Quota does not exist for " + path + "\n";
    r.fail(exit_failed, "", "NoNode"); // zkCli exits 0 here
    return;
  }
  auto quota = read_track(s, limits, r);
  if (!quota) return;
  bool any = false;
  for (const auto& k : quota_keys)
    if (c.has(k.option)) {
      any = true;
      quota->set(k.key, -1);
    }
  if (any) {
    auto written = set_data(s, limits, quota->to_string(), -1);
    if (succeeded(written, limits, r)) r.json.add("quota", quota->to_string());
    return;
  }
  std::string dir = std::string(quota_root) + path;
  auto children = get_children(s, dir, false);
  if (!succeeded(children, dir, r)) return;
  for (const auto& child : children.value->children) {
    auto d = remove(s, dir + "/" + child, -1);
    if (!succeeded(d, dir + "/" + child, r)) return;
  }
  trim_empty(s, dir, r);
}

} // namespace

void add_quota_commands(std::vector<command>& t) {
  t.push_back({"setquota",
               "-n|-b|-N|-B val path",
               {{"n", true}, {"b", true}, {"N", true}, {"B", true}},
               true,
               2,
               setquota});
  t.push_back({"listquota", "path", {}, true, 2, listquota});
  t.push_back({"delquota", "[-n|-b|-N|-B] path", {{"n"}, {"b"}, {"N"}, {"B"}}, true, 2, delquota});
}

} // namespace paddock::cli
