// zkCli's watch commands: addWatch, removewatches, printwatches. (get -w, ls -w, stat -w and
// config -w set one-shot watches in their own files.)
#include "protocol/jute/error_code.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/zk_text.hpp"

#include <algorithm>
#include <cctype>

namespace paddock::cli {

namespace {

// AddWatchMode: PERSISTENT (0), PERSISTENT_RECURSIVE (1, zkCli's default).
constexpr const char* add_watch_usage = "[-m mode] path # optional mode is one of [PERSISTENT, "
                                        "PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE";

void add_watch_command(cli_state& st, const parsed_command& c, result& r) {
  if (c.args.size() != 2)
    return r.fail(exit_usage, std::string("addWatch ") + add_watch_usage, "usage");
  int32_t mode = 1;
  if (auto text = c.value("m")) {
    std::string upper = *text;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (upper == "PERSISTENT")
      mode = 0;
    else if (upper != "PERSISTENT_RECURSIVE")
      return r.fail(exit_usage, std::string("addWatch ") + add_watch_usage, "usage");
  }
  const auto& path = c.args[1];
  if (!valid_path(path, r)) return;
  auto a = cli::add_watch(*st.session, path, mode);
  if (!succeeded(a, path, r)) return;
  st.watches.add(path, mode == 0 ? watch_kind::persistent : watch_kind::persistent_recursive);
  r.json.add("path", path).add("mode", mode == 0 ? "PERSISTENT" : "PERSISTENT_RECURSIVE");
}

void remove_watches_command(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  int32_t type = c.has("c")   ? watcher_type::children
                 : c.has("d") ? watcher_type::data
                              : watcher_type::any;
  if (!valid_path(path, r)) return;
  r.json.add("path", path)
      .add("type", type == watcher_type::children ? "Children"
                   : type == watcher_type::data   ? "Data"
                                                  : "Any");
  if (!st.watches.has(path, type)) {
    record_failure(false, static_cast<int32_t>(jute::error_code::no_watcher), path, r);
    return;
  }
  auto removed = cli::remove_watches(*st.session, path, type);
  if (!succeeded(removed, path, r)) return;
  // The Java client tells its watchers that their watches went: events of its own, not the
  // server's.
  for (auto event : st.watches.removed(path, type))
    print_event(st, jute::watcher_event{event, jute::keeper_state::sync_connected, path});
}

void printwatches(cli_state& st, const parsed_command& c, result& r) {
  if (c.args.size() == 1)
    r.out = std::string("printwatches is ") + (st.print_watches ? "on" : "off") + "\n";
  else
    st.print_watches = c.args[1] == "on";
  r.json.add("printwatches", st.print_watches.load());
}

} // namespace

void add_watch_commands(std::vector<command>& t) {
  t.push_back({"addWatch", add_watch_usage, {{"m", true}}, true, 2, add_watch_command});
  t.push_back({"removewatches",
               "path [-c|-d|-a] [-l]",
               {{"c"}, {"d"}, {"a"}, {"l"}},
               true,
               2,
               remove_watches_command});
  t.push_back({"printwatches", "on|off", {}, false, 1, printwatches});
}

} // namespace paddock::cli
