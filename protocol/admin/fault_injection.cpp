#include "protocol/admin/fault_injection.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <utility>
#include <vector>

namespace paddock::admin {

namespace {

constexpr std::array<std::pair<std::string_view, fault_target>, 9> targets = {{
    {"session", fault_target::session},
    {"follower-link", fault_target::follower_link},
    {"pipeline", fault_target::pipeline},
    {"watch-manager", fault_target::watch_manager},
    {"store", fault_target::store},
    {"log-writer", fault_target::log_writer},
    {"peer-links", fault_target::peer_links},
    {"session-tracker", fault_target::session_tracker},
    {"next-set-data", fault_target::next_set_data},
}};

constexpr std::string_view valid_targets =
    "valid targets: session [0x<session id>], follower-link [<server id>], pipeline, "
    "watch-manager, store, log-writer, peer-links, session-tracker, next-set-data\n";

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t')
      ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// A session id as ZooKeeper prints it: hex, "0x" optional. All 64 bits are used (a server id
// of 128 or more makes it negative as a signed number), so it is read unsigned.
std::optional<int64_t> parse_session_id(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::optional<int64_t> parse_server_id(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string hex(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

} // namespace

bool is_fault_command(std::string_view head) {
  return head == "kill";
}

fault_line_state scan_fault_line(std::string_view received) {
  auto nl = received.find('\n');
  if (nl != std::string_view::npos && nl < max_fault_line) return fault_line_state::complete;
  if (nl == std::string_view::npos && received.size() < max_fault_line)
    return fault_line_state::incomplete;
  return fault_line_state::too_long;
}

fault_parse_result parse_fault_command(std::string_view line) {
  if (auto nl = line.find('\n'); nl != std::string_view::npos) line = line.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto words = split_words(line);
  fault_parse_result out;
  if (words.empty() || words[0] != "kill") {
    out.error = "unknown command; " + std::string(valid_targets);
    return out;
  }
  if (words.size() < 2) {
    out.error = "unknown target ''; " + std::string(valid_targets);
    return out;
  }
  const fault_target* target = nullptr;
  for (const auto& [name, t] : targets)
    if (name == words[1]) target = &t;
  if (!target) {
    out.error = "unknown target '" + std::string(words[1]) + "'; " + std::string(valid_targets);
    return out;
  }
  fault_request req{*target, std::nullopt};
  const bool takes_id = *target == fault_target::session || *target == fault_target::follower_link;
  if (words.size() > (takes_id ? 3u : 2u)) {
    out.error =
        "too many arguments for '" + std::string(words[1]) + "'; " + std::string(valid_targets);
    return out;
  }
  if (words.size() == 3) {
    req.id =
        *target == fault_target::session ? parse_session_id(words[2]) : parse_server_id(words[2]);
    if (!req.id) {
      out.error =
          std::string(*target == fault_target::session ? "bad session id '" : "bad server id '") +
          std::string(words[2]) + "'\n";
      return out;
    }
  }
  out.request = req;
  return out;
}

std::string_view fault_target_name(fault_target t) {
  for (const auto& [name, target] : targets)
    if (target == t) return name;
  return "?";
}

std::string fault_killed_answer(const fault_request& killed) {
  std::string out = "killed " + std::string(fault_target_name(killed.target));
  if (killed.id) {
    out += ' ';
    out += killed.target == fault_target::session ? hex(*killed.id) : std::to_string(*killed.id);
  }
  return out + "\n";
}

std::string fault_nothing_answer(fault_target t) {
  switch (t) {
  case fault_target::session: return "no session\n";
  case fault_target::follower_link: return "no follower link\n";
  default: return "no " + std::string(fault_target_name(t)) + "\n";
  }
}

} // namespace paddock::admin
