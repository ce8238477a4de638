// The shell's session: connecting it, sending --auth after each connect, and printing watch
// events the moment they arrive, as zkCli's watcher does ("WATCHER::" then the event).
#include "tools/cli/command.hpp"
#include "tools/cli/keeper_errors.hpp"
#include "tools/cli/zk_text.hpp"
#include "tools/common/net.hpp"

#include <iostream>

namespace paddock::cli {

void print_event(cli_state& state, const jute::watcher_event& e) {
  if (!state.print_watches) return;
  std::string text;
  if (state.json) {
    json_object event;
    event.add("state", state_name(e.state)).add("type", type_name(e.type));
    if (e.path.empty())
      event.add_raw("path", "null");
    else
      event.add("path", e.path);
    text = json_object().add_raw("event", event.render()).render() + "\n";
  } else {
    // zkCli's printMessage: a blank line before each of its two lines.
    text = "\nWATCHER::\n\n" + event_text(e) + "\n";
  }
  std::lock_guard lock(state.output);
  if (state.deliver_event_text) return state.deliver_event_text(std::move(text));
  std::cout << text << std::flush;
}

bool connect_session(cli_state& state, const std::string& connect_string, result& r) {
  auto servers = tools::parse_endpoint_list(connect_string);
  if (!servers) {
    r.fail(exit_usage, "bad server list '" + connect_string + "' (want host:port[,host:port])",
           "usage");
    return false;
  }
  if (state.session) state.session->close();
  state.watches.clear();
  state.connect_string = connect_string;
  state.closed = false;
  // One-shot commands print no events: zkCli's would be gone before any arrived.
  cli_state* s = &state;
  state.session = std::make_unique<tools::async_session>([s](const jute::watcher_event& e) {
    s->watches.fired(e);
    if (s->interactive) print_event(*s, e);
  });
  if (!state.session->connect(*servers, state.session_timeout_ms, state.timeout)) {
    r.fail(exit_connection, state.session->error(), "connection");
    return false;
  }
  for (const auto& auth : state.auth) {
    auto a = add_auth(*state.session, auth.scheme, auth.credentials);
    if (a.ok()) continue;
    // AuthFailed: the server closes the connection, as it does for zkCli's addauth.
    record_failure(a.lost, a.err, "", r);
    r.failure = "addauth " + auth.scheme + ": " + r.failure;
    return false;
  }
  return true;
}

} // namespace paddock::cli
