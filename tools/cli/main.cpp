// paddock-cli: ZooKeeper's zkCli, command for command, on Paddock's protocol code.
//   paddock-cli [-server host:port[,host:port...]] [--auth scheme:credentials]... [--json]
//               [CMD ARGS...]
// With a command: runs it on a fresh session and exits with its status (command.hpp).
// Without: an interactive shell on one long-lived session (shell.hpp).
#include "paddock/version.hpp"
#include "tools/cli/backup_command.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/shell.hpp"

#include <charconv>
#include <iostream>

namespace {

using namespace paddock;

constexpr const char* usage_head =
    "usage: paddock-cli [-server host:port[,host:port...]] [-timeout session-ms] "
    "[--timeout reply-ms]\n"
    "                   [--auth scheme:credentials]... [--json] [command args...]\n"
    "  -server, --server   servers to connect to (default 127.0.0.1:2181)\n"
    "  -timeout            the session timeout to ask for, in ms (default 30000)\n"
    "  --timeout           how long to wait to connect and for each answer, in ms "
    "(default 10000)\n"
    "  --auth              addauth before the first command (repeatable), e.g. "
    "digest:super:secret\n"
    "  --json              print each result as one JSON object per line\n"
    "  -waitforconnection  accepted for zkCli's sake: paddock-cli always waits\n"
    "Without a command: an interactive shell. Exit status: 0 ok, 1 the command failed,\n"
    "2 usage error, 3 no connection or no answer, 127 unknown command.\n"
    "Backups: paddock-cli backup [--server ADMIN_HOST:PORT] FILE (backup --help)\n"
    "Commands:\n";

std::optional<int> positive(const std::string& text) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

int usage_error(const std::string& why) {
  std::cerr << "paddock-cli: " << why << "\n(paddock-cli --help for usage)\n";
  return cli::exit_usage;
}

} // namespace

int main(int argc, char** argv) {
  cli::cli_state state;
  state.commands = &cli::command_table();
  state.connect_string = "127.0.0.1:2181";
  std::vector<std::string> args(argv + 1, argv + argc);
  size_t i = 0;
  // paddock-cli's own options come before the command, as zkCli's do.
  for (; i < args.size(); ++i) {
    std::string opt = args[i];
    std::optional<std::string> value;
    if (auto eq = opt.find('='); opt.starts_with("--") && eq != std::string::npos) {
      value = opt.substr(eq + 1);
      opt = opt.substr(0, eq);
    }
    auto take = [&]() -> std::optional<std::string> {
      if (value) return value;
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (opt == "-server" || opt == "--server") {
      auto v = take();
      if (!v) return usage_error("no argument found for option " + opt);
      state.connect_string = *v;
    } else if (opt == "-timeout" || opt == "--timeout") {
      auto v = take();
      auto ms = v ? positive(*v) : std::nullopt;
      if (!ms) return usage_error(opt + " wants a positive number of milliseconds");
      if (opt == "-timeout")
        state.session_timeout_ms = *ms;
      else
        state.timeout = std::chrono::milliseconds(*ms);
    } else if (opt == "--auth") {
      auto v = take();
      auto colon = v ? v->find(':') : std::string::npos;
      if (!v || colon == std::string::npos || colon == 0)
        return usage_error("bad --auth (want scheme:credentials)");
      state.auth.push_back({v->substr(0, colon), v->substr(colon + 1)});
    } else if (opt == "--json") {
      state.json = true;
    } else if (opt == "-waitforconnection") {
      // paddock-cli always waits for the session before the first command.
    } else if (opt == "--version") {
      std::cout << "paddock-cli " << version_string << '\n';
      return 0;
    } else if (opt == "-h" || opt == "--help") {
      std::cout << usage_head;
      for (const auto& c : *state.commands)
        std::cout << "\t" << c.name << " " << c.usage << '\n';
      return 0;
    } else if (opt.starts_with("-")) {
      return usage_error("unknown option " + opt);
    } else {
      break;
    }
  }
  std::vector<std::string> words(args.begin() + static_cast<long>(i), args.end());

  if (words.empty()) { // interactive
    state.interactive = true;
    if (!state.json) std::cout << "Connecting to " << state.connect_string << std::endl;
    cli::result r;
    if (!cli::connect_session(state, state.connect_string, r))
      cli::print_result(state, "connect", r);
    else if (!state.json)
      std::cout << "Welcome to paddock-cli! (`help` lists the commands)" << std::endl;
    int status = cli::run_shell(state);
    if (state.session) state.session->close();
    return status;
  }

  // Not a zkCli command: it talks to the AdminServer, not through a session.
  if (words[0] == "backup") return cli::run_backup(words, state.timeout);

  const auto* cmd = cli::find_command(*state.commands, words[0]);
  if (cmd && cmd->needs_connection) {
    cli::result r;
    if (!cli::connect_session(state, state.connect_string, r)) {
      cli::print_result(state, words[0], r);
      return r.status;
    }
  }
  auto r = cli::run_words(state, words);
  cli::print_result(state, words[0], r);
  if (state.session) state.session->close();
  return r.status;
}
