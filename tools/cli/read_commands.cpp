// zkCli's read commands: ls, get, stat, getEphemerals, getAllChildrenNumber, sync.
#include "protocol/jute/error_code.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/stat_printer.hpp"

#include <algorithm>
#include <sstream>

namespace paddock::cli {

namespace {

std::string stat_text(const jute::stat& s) {
  std::ostringstream out;
  print_stat(out, s);
  return out.str();
}

std::string bracketed(const std::vector<std::string>& items) { // Java's List.toString
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + items[i];
  return out + "]";
}

// ZKUtil.visitSubTreeDFS: the path, then each node's children (sorted) before their subtrees.
bool visit_subtree(cli_state& st, const std::string& path, bool watch, result& r,
                   std::vector<std::string>& seen) {
  auto children = get_children(*st.session, path, watch);
  if (children.err == static_cast<int32_t>(jute::error_code::no_node)) return true; // raced away
  if (!succeeded(children, path, r)) return false;
  if (watch) st.watches.add(path, watch_kind::child);
  auto names = children.value->children;
  std::sort(names.begin(), names.end());
  std::string prefix = path == "/" ? "/" : path + "/";
  for (const auto& child : names)
    seen.push_back(prefix + child);
  for (const auto& child : names)
    if (!visit_subtree(st, prefix + child, watch, r, seen)) return false;
  return true;
}

// zkCli 3.8 still reads the old `ls path watch` (any third word means watch), and says so.
bool old_watch_word(const parsed_command& c, const std::string& modern, result& r) {
  if (c.args.size() <= 2) return false;
  r.err += "'" + c.args[0] + " path [watch]' has been deprecated. Please use '" + modern +
           "' instead.\n";
  return true;
}

void ls(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  bool watch = old_watch_word(c, "ls [-w] path", r) || c.has("w");
  if (!valid_path(path, r)) return;
  r.json.add("path", path);
  if (c.has("R")) {
    auto root = get_data(*st.session, path, watch);
    if (!succeeded(root, path, r)) return;
    if (watch) st.watches.add(path, watch_kind::data);
    std::vector<std::string> seen{path};
    if (!visit_subtree(st, path, watch, r, seen)) return;
    for (const auto& p : seen)
      r.out += p + "\n";
    r.json.add_raw("paths", json_strings(seen));
    return;
  }
  auto children = get_children(*st.session, path, watch);
  if (!succeeded(children, path, r)) return;
  if (watch) st.watches.add(path, watch_kind::child);
  auto names = children.value->children;
  std::sort(names.begin(), names.end());
  r.out = bracketed(names) + "\n";
  r.json.add_raw("children", json_strings(names));
  if (c.has("s")) {
    r.out += stat_text(children.value->stat);
    r.json.add_raw("stat", json_stat(children.value->stat));
  }
}

void get(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  bool watch = old_watch_word(c, "get [-s] [-w] path", r) || c.has("w");
  if (!valid_path(path, r)) return;
  auto data = get_data(*st.session, path, watch);
  if (!succeeded(data, path, r)) return;
  if (watch) st.watches.add(path, watch_kind::data);
  r.out = (data.value->data_is_null ? std::string("null") : data.value->data) + "\n";
  r.json.add("path", path);
  if (data.value->data_is_null)
    r.json.add_raw("data", "null");
  else
    r.json.add("data", data.value->data);
  if (c.has("s")) {
    r.out += stat_text(data.value->stat);
    r.json.add_raw("stat", json_stat(data.value->stat));
  }
}

void stat(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  bool watch = old_watch_word(c, "stat [-w] path", r) || c.has("w");
  if (!valid_path(path, r)) return;
  auto s = exists(*st.session, path, watch);
  // The server keeps an exists watch on a missing node too (it fires on creation).
  bool watched =
      !s.lost && (s.err == 0 || s.err == static_cast<int32_t>(jute::error_code::no_node));
  if (watch && watched) st.watches.add(path, watch_kind::exist);
  if (!succeeded(s, path, r)) return;
  r.out = stat_text(*s.value);
  r.json.add("path", path).add_raw("stat", json_stat(*s.value));
}

void get_ephemerals_command(cli_state& st, const parsed_command& c, result& r) {
  std::string prefix = c.args.size() > 1 ? c.args[1] : "/";
  if (!valid_path(prefix, r)) return;
  auto e = cli::get_ephemerals(*st.session, prefix);
  if (!succeeded(e, prefix, r)) return;
  r.out = bracketed(*e.value) + "\n";
  r.json.add("path", prefix).add_raw("ephemerals", json_strings(*e.value));
}

void get_all_children_number_command(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  if (!valid_path(path, r)) return;
  auto n = cli::get_all_children_number(*st.session, path);
  if (!succeeded(n, path, r)) return;
  r.out = std::to_string(*n.value) + "\n";
  r.json.add("path", path).add("count", *n.value);
}

void sync_path(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  if (!valid_path(path, r)) return;
  auto s = sync(*st.session, path);
  if (s.lost) {
    record_failure(true, 0, path, r);
    return;
  }
  r.json.add("path", path);
  if (s.err == 0) {
    r.out = "Sync is OK\n";
  } else { // zkCli reports the code and exits 0
    r.out = "Sync has failed. rc=" + std::to_string(s.err) + "\n";
    r.json.add("rc", s.err);
  }
}

} // namespace

void add_read_commands(std::vector<command>& t) {
  t.push_back({"ls", "[-s] [-w] [-R] path", {{"s"}, {"w"}, {"R"}}, true, 2, ls});
  t.push_back({"get", "[-s] [-w] path", {{"s"}, {"w"}}, true, 2, get});
  t.push_back({"stat", "[-w] path", {{"w"}}, true, 2, stat});
  t.push_back({"getEphemerals", "path", {}, true, 1, get_ephemerals_command});
  t.push_back({"getAllChildrenNumber", "path", {}, true, 2, get_all_children_number_command});
  t.push_back({"sync", "path", {}, true, 2, sync_path});
}

} // namespace paddock::cli
