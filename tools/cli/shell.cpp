#include "tools/cli/shell.hpp"

#include "tools/cli/completer.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <editline/readline.h>
#include <iostream>
#include <unistd.h>

namespace paddock::cli {

namespace {

// readline's callbacks carry no context: the one shell of the process.
cli_state* shell_state = nullptr;
std::vector<std::string> matches;
size_t next_match = 0;

std::vector<std::string> children_of(const std::string& path) {
  if (!shell_state || !shell_state->connected()) return {};
  auto c = get_children(*shell_state->session, path, false);
  return c.ok() ? c.value->children : std::vector<std::string>{};
}

char* next_candidate(const char*, int state) {
  if (state == 0) next_match = 0;
  if (next_match >= matches.size()) return nullptr;
  return ::strdup(matches[next_match++].c_str());
}

char** complete(const char* text, int start, int) {
  rl_attempted_completion_over = 1; // never fall back to file names
  std::string_view before(rl_line_buffer, static_cast<size_t>(start));
  bool first = before.find_first_not_of(" \t") == std::string_view::npos;
  std::vector<std::string> names;
  for (const auto& c : *shell_state->commands)
    names.push_back(c.name);
  matches = completions(text, first, names, children_of);
  // A path may go on below the completed znode: no space after it.
  rl_completion_append_character = text[0] == '/' ? '\0' : ' ';
  return rl_completion_matches(text, next_candidate);
}

int last_status = exit_ok;

void run_line(cli_state& state, const std::string& line) {
  auto words = split_line(line);
  if (words.empty()) return;
  state.history[state.command_count] = line;
  auto r = run_words(state, words);
  print_result(state, words[0], r);
  if (!state.quit) last_status = r.status; // zkCli exits with the status before `quit`
  ++state.command_count;
}

} // namespace

std::string prompt(const cli_state& state) {
  return "[zk: " + state.connect_string + "(" + state.state_name() + ") " +
         std::to_string(state.command_count) + "] ";
}

int run_shell(cli_state& state) {
  shell_state = &state;
  if (!::isatty(STDIN_FILENO)) {
    std::string line;
    while (!state.quit && std::getline(std::cin, line))
      run_line(state, line);
    return last_status;
  }
  rl_readline_name = "paddock-cli";
  rl_attempted_completion_function = complete;
  static char breaks[] = " \t\n";
  rl_completer_word_break_characters = breaks;
  while (!state.quit) {
    auto text = prompt(state);
    char* raw = ::readline(text.c_str());
    if (!raw) break; // end of input (^D)
    std::string line(raw);
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) ::add_history(line.c_str());
    run_line(state, line);
  }
  return last_status;
}

} // namespace paddock::cli
