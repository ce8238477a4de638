// From a command's words to its result, and from a result to the terminal: the part of
// ZooKeeperMain that parses, looks up, runs and prints commands.
#include "protocol/jute/error_code.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/keeper_errors.hpp"
#include "tools/cli/path_check.hpp"

#include <algorithm>
#include <iostream>

namespace paddock::cli {

void result::fail(int exit_status, std::string message, std::string kind) {
  status = exit_status;
  failure = std::move(message);
  code = std::move(kind);
}

bool record_failure(bool lost, int32_t err, std::string_view path, result& r) {
  if (lost) {
    r.fail(exit_connection,
           keeper_exception_message(static_cast<int32_t>(jute::error_code::connection_loss), path),
           "ConnectionLoss");
  } else {
    r.fail(exit_failed, keeper_message(err, path), code_name(err));
  }
  return false;
}

bool valid_path(const std::string& path, result& r, bool sequential) {
  auto problem = path_problem(path, sequential);
  if (problem.empty()) return true;
  r.fail(exit_failed, problem, "MalformedPath");
  return false;
}

std::string cli_state::state_name() const {
  if (connected()) return "CONNECTED";
  return closed ? "CLOSED" : "NOT_CONNECTED";
}

const std::vector<command>& command_table() {
  static const std::vector<command> table = [] {
    std::vector<command> t;
    add_read_commands(t);
    add_write_commands(t);
    add_acl_commands(t);
    add_quota_commands(t);
    add_watch_commands(t);
    add_ensemble_commands(t);
    add_shell_commands(t);
    std::sort(t.begin(), t.end(),
              [](const command& a, const command& b) { return a.name < b.name; });
    return t;
  }();
  return table;
}

const command* find_command(const std::vector<command>& table, const std::string& name) {
  for (const auto& c : table)
    if (c.name == name) return &c;
  return nullptr;
}

std::string usage_text(const std::vector<command>& table) {
  // zkCli's list, after paddock-cli's own first line (zkCli's names options it lacks).
  std::string out = "paddock-cli -server host:port[,host:port...] [--auth scheme:credentials]... "
                    "[--json] cmd args\n";
  for (const auto& c : table)
    out += "\t" + c.name + " " + c.usage + "\n";
  return out;
}

result run_words(cli_state& state, const std::vector<std::string>& words) {
  result r;
  const auto& table = state.commands ? *state.commands : command_table();
  if (words.empty()) {
    r.err = usage_text(table);
    r.fail(exit_usage, "No command entered", "usage");
    return r;
  }
  const command* cmd = find_command(table, words[0]);
  if (!cmd) {
    r.err = usage_text(table);
    r.fail(exit_not_found, "Command not found: Command not found " + words[0], "CommandNotFound");
    return r;
  }
  auto parsed = parse_command(words, cmd->options);
  if (auto* why = std::get_if<std::string>(&parsed)) {
    r.fail(exit_usage, *why, "usage");
    return r;
  }
  auto& command_line = std::get<parsed_command>(parsed);
  if (command_line.args.size() < cmd->min_words) {
    r.fail(exit_usage, cmd->name + " " + cmd->usage, "usage");
    return r;
  }
  if (cmd->needs_connection && !state.connected()) {
    r.fail(exit_connection, "Not connected", "connection");
    return r;
  }
  cmd->run(state, command_line, r);
  return r;
}

void print_result(cli_state& state, const std::string& name, const result& r) {
  std::lock_guard lock(state.output);
  if (!state.json) {
    // What zkCli prints on stderr besides a failure comes before its output in every command
    // that prints both (listquota's "absolute path is", AclParser's warnings).
    std::cerr << r.err << std::flush;
    std::cout << r.out << std::flush;
    if (r.failed() && !r.failure.empty()) std::cerr << r.failure << '\n';
    std::cerr << std::flush;
    return;
  }
  json_object line;
  line.add("command", name).add("ok", !r.failed());
  std::string members = r.json.render();
  if (r.failed()) {
    line.add("error", r.code).add("message", r.failure);
  }
  if (!r.err.empty()) line.add("notes", r.err);
  // The command's own fields follow "command" and "ok" (and the error, if any).
  std::string head = line.render();
  if (members != "{}") head = head.substr(0, head.size() - 1) + "," + members.substr(1);
  std::cout << head << '\n' << std::flush;
}

} // namespace paddock::cli
