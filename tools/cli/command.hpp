#pragma once
// What every paddock-cli command shares: its result (zkCli's output and the same as one JSON
// object), the state of the shell it runs in (the session, history, printwatches), and its
// entry in the command table (name, zkCli's usage text, options, the function).
//
// Exit status of a command (and of one-shot paddock-cli): 0 success; 1 the command failed
// (zkCli's status for every CliException: a ZooKeeper error, a bad path); 2 a usage error
// (zkCli exits 1 there too); 3 no connection or no answer (zkCli would retry forever);
// 127 an unknown command (zkCli's).
#include "tools/cli/command_line.hpp"
#include "tools/cli/json_line.hpp"
#include "tools/cli/watch_registry.hpp"
#include "tools/cli/zk_requests.hpp"
#include "tools/common/async_session.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace paddock::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_connection = 3;
inline constexpr int exit_not_found = 127;

struct result {
  int status = exit_ok;
  std::string out;     // what zkCli prints on stdout
  std::string err;     // what zkCli prints on stderr besides a failure ("Created /x")
  std::string failure; // the failure's message, printed on stderr
  std::string code;    // the failure's kind for --json: NoNode, ..., usage, connection
  json_object json;    // the result's fields for --json

  void fail(int exit_status, std::string message, std::string kind);
  bool failed() const { return status != exit_ok; }
};

// For an answer that is not ok: records zkCli's message for it (connection loss, or the
// server's error on `path`) and returns false.
bool record_failure(bool lost, int32_t err, std::string_view path, result& r);
template <class T> bool succeeded(const answer<T>& a, std::string_view path, result& r) {
  return a.ok() || record_failure(a.lost, a.err, path, r);
}

// A path zkCli would refuse before sending: records why and returns false.
bool valid_path(const std::string& path, result& r, bool sequential = false);

struct auth_credential {
  std::string scheme;
  std::string credentials;
};

struct command;

struct cli_state {
  std::string connect_string;
  std::chrono::milliseconds timeout{10000};
  int32_t session_timeout_ms = 30000;
  std::vector<auth_credential> auth; // sent after every connect
  bool json = false;
  bool interactive = false;
  std::atomic<bool> print_watches{true}; // read by the session's reader thread
  bool quit = false;
  bool closed = false;                // by `close`: the prompt says CLOSED, not NOT_CONNECTED
  std::map<int, std::string> history; // zkCli's: command number -> line
  int command_count = 0;
  std::unique_ptr<tools::async_session> session;
  watch_registry watches;
  std::mutex output; // command output and watch events, one at a time
  // In the terminal shell, watch events wait for the line editor, which prints them between
  // keystrokes and redraws the prompt after them; elsewhere they are printed at once.
  std::function<void(std::string)> deliver_event_text;
  const std::vector<command>* commands = nullptr;

  bool connected() const { return session && session->connected(); }
  // "CONNECTED", "CLOSED" (after `close`) or "NOT_CONNECTED" (the connection was lost, or
  // never made): the state in zkCli's prompt.
  std::string state_name() const;
};

struct command {
  std::string name;
  std::string usage; // zkCli's, after the name
  std::vector<option_spec> options;
  bool needs_connection = true;
  // The smallest number of words (the name included) the command needs: fewer is a usage
  // error, answered with the usage text as zkCli does.
  size_t min_words = 1;
  std::function<void(cli_state&, const parsed_command&, result&)> run;
};

// The families (one file each) and the whole table.
void add_read_commands(std::vector<command>& table);
void add_write_commands(std::vector<command>& table);
void add_acl_commands(std::vector<command>& table);
void add_quota_commands(std::vector<command>& table);
void add_watch_commands(std::vector<command>& table);
void add_ensemble_commands(std::vector<command>& table);
void add_shell_commands(std::vector<command>& table);
const std::vector<command>& command_table();
const command* find_command(const std::vector<command>& table, const std::string& name);

// Runs one command (its words, the name first) and returns what it did, printing nothing.
result run_words(cli_state& state, const std::vector<std::string>& words);
// Prints a result: zkCli's text, or one JSON line with "command" and "ok" first.
void print_result(cli_state& state, const std::string& name, const result& r);
// Connects (or reconnects) the state's session to `connect_string`, prints watch events as
// they come, sends the --auth credentials. False with the failure recorded in `r`.
bool connect_session(cli_state& state, const std::string& connect_string, result& r);

// Prints a watch event as zkCli's watcher does (when printwatches is on, in the shell).
void print_event(cli_state& state, const jute::watcher_event& e);

// zkCli's usage: every command with its syntax, sorted, after a line on how to run.
std::string usage_text(const std::vector<command>& table);

} // namespace paddock::cli
