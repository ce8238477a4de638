#include "tools/cli/shell.hpp"

#include "tools/cli/completer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <editline/readline.h>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <unistd.h>

namespace paddock::cli {

namespace {

// readline's callbacks carry no context: the one shell of the process.
cli_state* shell_state = nullptr;
std::vector<std::string> matches;
size_t next_match = 0;
int last_status = exit_ok;
bool input_ended = false;
bool line_done = false;

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

void run_line(cli_state& state, const std::string& line) {
  auto words = split_line(line);
  if (words.empty()) return;
  state.history[state.command_count] = line;
  auto r = run_words(state, words);
  print_result(state, words[0], r);
  if (!state.quit) last_status = r.status; // zkCli exits with the status before `quit`
  ++state.command_count;
}

// A whole line from the editor (nullptr at end of input).
void on_line(char* raw) {
  if (!raw) {
    input_ended = true;
    return;
  }
  std::string line(raw);
  std::free(raw);
  if (line.find_first_not_of(" \t") != std::string::npos) ::add_history(line.c_str());
  run_line(*shell_state, line);
  line_done = true;
}

// Watch events that arrived while the editor waits: handed over by the session's reader
// thread, printed by the editor's thread, which then redraws the prompt and what was typed.
struct event_mailbox {
  std::mutex mutex;
  std::deque<std::string> texts;
  int wake[2] = {-1, -1};
  event_mailbox() {
    if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) wake[0] = wake[1] = -1;
  }
  ~event_mailbox() {
    for (int fd : wake)
      if (fd >= 0) ::close(fd);
  }
  void post(std::string text) {
    {
      std::lock_guard lock(mutex);
      texts.push_back(std::move(text));
    }
    [[maybe_unused]] auto n = ::write(wake[1], "!", 1);
  }
  std::deque<std::string> take() {
    char drain[64];
    while (::read(wake[0], drain, sizeof drain) > 0) {
    }
    std::lock_guard lock(mutex);
    return std::exchange(texts, {});
  }
};

int run_terminal(cli_state& state) {
  event_mailbox mailbox;
  if (mailbox.wake[0] < 0) return exit_failed;
  {
    std::lock_guard lock(state.output);
    state.deliver_event_text = [&mailbox](std::string text) { mailbox.post(std::move(text)); };
  }
  rl_readline_name = "paddock-cli";
  rl_attempted_completion_function = complete;
  static char breaks[] = " \t\n";
  rl_completer_word_break_characters = breaks;
  rl_callback_handler_install(prompt(state).c_str(), on_line);
  while (!state.quit && !input_ended) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {mailbox.wake[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) {
      auto texts = mailbox.take();
      for (const auto& text : texts)
        std::cout << text;
      std::cout << std::flush;
      if (!texts.empty()) rl_forced_update_display();
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) rl_callback_read_char();
    if (line_done && !state.quit) {
      // A new prompt (the count and the state change), shown now rather than at the next
      // keystroke: libedit draws it when the handler is installed.
      line_done = false;
      rl_callback_handler_remove();
      rl_callback_handler_install(prompt(state).c_str(), on_line);
    }
  }
  rl_callback_handler_remove();
  std::lock_guard lock(state.output);
  state.deliver_event_text = nullptr;
  return last_status;
}

} // namespace

std::string prompt(const cli_state& state) {
  return "[zk: " + state.connect_string + "(" + state.state_name() + ") " +
         std::to_string(state.command_count) + "] ";
}

int run_shell(cli_state& state) {
  shell_state = &state;
  if (::isatty(STDIN_FILENO)) return run_terminal(state);
  std::string line;
  while (!state.quit && std::getline(std::cin, line))
    run_line(state, line);
  return last_status;
}

} // namespace paddock::cli
