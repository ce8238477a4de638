#include "tools/cli/client_config.hpp"

namespace paddock::cli {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

} // namespace

std::string client_config_string(std::string_view config_text) {
  std::string version, servers;
  while (!config_text.empty()) {
    auto eol = config_text.find('\n');
    auto line = trim(config_text.substr(0, eol));
    config_text.remove_prefix(eol == std::string_view::npos ? config_text.size() : eol + 1);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    auto key = trim(line.substr(0, eq));
    auto value = trim(line.substr(eq + 1));
    if (key == "version") version = std::string(value);
    if (!key.starts_with("server.")) continue;
    auto semi = value.find(';');
    if (semi == std::string_view::npos) continue; // no client address
    auto client = trim(value.substr(semi + 1));
    auto colon = client.rfind(':');
    std::string address =
        colon == std::string_view::npos ? "0.0.0.0:" + std::string(client) : std::string(client);
    servers += (servers.empty() ? "" : ",") + address;
  }
  return version + " " + servers;
}

} // namespace paddock::cli
