// The commands that act on the shell rather than on znodes: history, redo, connect, close,
// quit, help, version (ZooKeeperMain's own, and CloseCommand / VersionCommand).
#include "paddock/version.hpp"
#include "tools/cli/command.hpp"

#include <charconv>

namespace paddock::cli {

namespace {

void history(cli_state& st, const parsed_command&, result& r) {
  // zkCli lists the last ten commands and this one.
  std::string entries = "[";
  for (int i = st.command_count - 10; i <= st.command_count; ++i) {
    if (i < 0) continue;
    auto it = st.history.find(i);
    std::string line = it == st.history.end() ? "null" : it->second;
    r.out += std::to_string(i) + " - " + line + "\n";
    if (entries.size() > 1) entries += ",";
    entries += json_object().add("index", i).add("command", line).render();
  }
  r.json.add_raw("history", entries + "]");
}

void redo(cli_state& st, const parsed_command& c, result& r) {
  int index = -1;
  const auto& text = c.args[1];
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec != std::errc{} || ptr != text.data() + text.size())
    return r.fail(exit_usage, "For input string: \"" + text + "\"", "usage");
  if (st.command_count <= index || index < 0) // not this redo, not the future
    return r.fail(exit_failed, "Command index out of range", "usage");
  auto line = st.history[index];
  auto words = split_line(line);
  if (!words.empty() && words[0] == "redo") return r.fail(exit_failed, "No redoing redos", "usage");
  st.history[st.command_count] = line;
  r = run_words(st, words);
}

void connect(cli_state& st, const parsed_command& c, result& r) {
  auto hosts = c.args.size() > 1 ? c.args[1] : st.connect_string;
  if (!connect_session(st, hosts, r)) return;
  r.json.add("server", hosts).add("sessionId", st.session->session_id());
}

void close(cli_state& st, const parsed_command&, result&) {
  bool was_open = st.connected();
  if (st.session) st.session->close();
  st.closed = true;
  // The Java client tells its watcher, and zkCli prints it.
  if (was_open && st.interactive)
    print_event(st, {jute::event_type::none, jute::keeper_state::closed, ""});
}

void quit(cli_state& st, const parsed_command&, result&) {
  if (st.session) st.session->close();
  st.quit = true;
}

void help(cli_state& st, const parsed_command&, result& r) {
  r.out = usage_text(st.commands ? *st.commands : command_table());
}

void version(cli_state&, const parsed_command&, result& r) {
  r.out = std::string("paddock-cli version: ") + version_string + "\n";
  r.json.add("version", version_string);
}

} // namespace

void add_shell_commands(std::vector<command>& t) {
  t.push_back({"history", "", {}, false, 1, history});
  t.push_back({"redo", "cmdno", {}, false, 2, redo});
  t.push_back({"connect", "host:port", {}, false, 1, connect});
  t.push_back({"close", "", {}, false, 1, close});
  t.push_back({"quit", "", {}, false, 1, quit});
  t.push_back({"help", "", {}, false, 1, help});
  t.push_back({"version", "", {}, false, 1, version});
}

} // namespace paddock::cli
