#include "tools/cli/client_config.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace paddock::cli {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// java.lang.String.hashCode of ASCII text.
uint32_t java_hash(std::string_view s) {
  uint32_t h = 0;
  for (unsigned char c : s)
    h = 31 * h + c;
  return h;
}

// The bin of a key in the ConcurrentHashMap inside java.util.Properties (16 bins for up to
// 11 keys, doubling as it fills to three quarters): getClientConfigStr walks the entries in
// bin order, so that is the order of its servers.
size_t java_bin(std::string_view key, size_t keys) {
  size_t bins = 16;
  while (keys >= bins * 3 / 4)
    bins *= 2;
  uint32_t h = java_hash(key);
  return ((h ^ (h >> 16)) & 0x7fffffffu) & (bins - 1);
}

} // namespace

std::string client_config_string(std::string_view config_text) {
  std::vector<std::pair<std::string, std::string>> entries; // as Properties.load keeps them
  while (!config_text.empty()) {
    auto eol = config_text.find('\n');
    auto line = trim(config_text.substr(0, eol));
    config_text.remove_prefix(eol == std::string_view::npos ? config_text.size() : eol + 1);
    auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || line[0] == '!' || eq == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    auto same =
        std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == key; });
    if (same != entries.end())
      same->second = value;
    else
      entries.emplace_back(std::move(key), std::move(value));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [n = entries.size()](const auto& a, const auto& b) {
                     return java_bin(a.first, n) < java_bin(b.first, n);
                   });
  std::string version, servers;
  bool first = true;
  for (const auto& [key, value] : entries) {
    if (key == "version") version = value;
    if (!key.starts_with("server.")) continue;
    // A server without a client address still takes its place in the list, empty (as
    // ZooKeeper's, which then prints "a,b," for it).
    auto semi = value.find(';');
    std::string address;
    if (semi != std::string::npos) {
      auto client = trim(std::string_view(value).substr(semi + 1));
      address = client.rfind(':') == std::string_view::npos ? "0.0.0.0:" + std::string(client)
                                                            : std::string(client);
    }
    servers += (first ? "" : ",") + address;
    first = false;
  }
  return version + " " + servers;
}

} // namespace paddock::cli
