#include "config/membership.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace paddock::config {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits at `sep`, trimming each piece and dropping empty ones (ZooKeeper's StringUtils.split).
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto at = s.find(sep);
    auto piece = trim(s.substr(0, at));
    if (!piece.empty()) out.push_back(piece);
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

// Appends a host as ZooKeeper prints it: an IPv6 address in brackets. (Built by appends:
// GCC 12 warns falsely, -Wrestrict, on "literal" + std::string.)
void append_host(std::string& out, std::string_view host) {
  const bool v6 = host.find(':') != std::string_view::npos;
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
}

std::optional<reconfig_refusal> check(const members_map& next, bool standalone_enabled) {
  std::size_t voters = 0;
  for (const auto& [id, p] : next)
    voters += p.observer ? 0 : 1;
  // ZooKeeper 3.8: with standaloneEnabled an ensemble may not shrink below two participants
  // (one would run standalone, which a reconfig cannot turn it into).
  if (standalone_enabled && voters < 2)
    return reconfig_refusal{"the new configuration must include at least 2 participants "
                            "(standaloneEnabled is true)"};
  if (voters < 1)
    return reconfig_refusal{"the new configuration must include at least 1 participant"};
  if (auto e = check_members(next, false)) return reconfig_refusal{e->to_string()};
  return std::nullopt;
}

} // namespace

std::string server_spec(const peer_address& p) {
  std::string s;
  append_host(s, p.host);
  s += ':';
  s += std::to_string(p.quorum_port);
  s += ':';
  s += std::to_string(p.election_port);
  s += p.observer ? ":observer" : ":participant";
  if (p.client_port != 0) {
    s += ';';
    append_host(s, p.client_address.empty() ? std::string_view("0.0.0.0") : p.client_address);
    s += ':';
    s += std::to_string(p.client_port);
  }
  return s;
}

std::string members_text(const members_map& members) {
  std::string out;
  for (const auto& [id, p] : members) {
    if (!out.empty()) out += '\n';
    out += "server.";
    out += std::to_string(id);
    out += '=';
    out += server_spec(p);
  }
  return out;
}

std::string hex_version(int64_t version) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(version));
  return buf;
}

std::string config_node_data(std::string_view text, int64_t version) {
  std::string out(text);
  if (!out.empty()) out += '\n';
  out += "version=";
  out += hex_version(version);
  return out;
}

std::variant<members_map, config_error> parse_members(std::string_view text) {
  members_map out;
  for (auto line : split(text, '\n')) {
    if (line.front() == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos)
      return config_error{std::string(line), "", "a server line is server.N=spec"};
    auto key = trim(line.substr(0, eq));
    auto value = trim(line.substr(eq + 1));
    if (key == "version") continue;
    auto parsed = parse_server(key, value);
    if (auto* e = std::get_if<config_error>(&parsed)) return *e;
    auto& p = std::get<peer_address>(parsed);
    if (out.contains(p.id))
      return config_error{std::string(key), std::string(value),
                          "server id " + std::to_string(p.id) + " is given twice"};
    out.emplace(p.id, std::move(p));
  }
  if (auto e = check_members(out, false)) return *e;
  return out;
}

std::variant<members_map, reconfig_refusal>
reconfig_members(const members_map& current, const std::optional<std::string>& joining,
                 const std::optional<std::string>& leaving,
                 const std::optional<std::string>& new_members, bool standalone_enabled) {
  members_map next;
  if (new_members) {
    // Bulk: the lines may be separated by commas or newlines.
    std::string text = *new_members;
    std::replace(text.begin(), text.end(), ',', '\n');
    auto parsed = parse_members(text);
    if (auto* e = std::get_if<config_error>(&parsed)) return reconfig_refusal{e->to_string()};
    next = std::move(std::get<members_map>(parsed));
  } else {
    next = current;
    if (leaving)
      for (auto id_text : split(*leaving, ',')) {
        int64_t id = 0;
        auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (ec != std::errc{} || end != id_text.data() + id_text.size()) {
          std::string why = "'";
          why += id_text;
          why += "' is not a server id";
          return reconfig_refusal{std::move(why)};
        }
        next.erase(id);
      }
    if (joining)
      for (auto joiner : split(*joining, ',')) {
        auto eq = joiner.find('=');
        if (eq == std::string_view::npos) return reconfig_refusal{"Wrong format of server string"};
        auto parsed = parse_server(trim(joiner.substr(0, eq)), trim(joiner.substr(eq + 1)));
        if (auto* e = std::get_if<config_error>(&parsed)) return reconfig_refusal{e->to_string()};
        auto& p = std::get<peer_address>(parsed);
        if (p.client_port == 0)
          return reconfig_refusal{"Wrong format of server string - each server should have 3 "
                                  "ports specified"};
        next[p.id] = std::move(p);
      }
  }
  if (auto refusal = check(next, standalone_enabled)) return *refusal;
  return next;
}

std::string dynamic_config_path(std::string_view static_config_path, int64_t version) {
  std::string out(static_config_path);
  out += ".dynamic.";
  out += hex_version(version);
  return out;
}

int64_t version_of_dynamic_config_path(std::string_view path) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return 0;
  auto suffix = path.substr(dot + 1);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), v, 16);
  if (ec != std::errc{} || end != suffix.data() + suffix.size() || suffix.empty()) return 0;
  return static_cast<int64_t>(v);
}

std::string rewrite_static_config(std::string_view zoo_cfg_text, std::string_view dynamic_path,
                                  bool erase_client_address) {
  std::string out;
  std::string_view rest = zoo_cfg_text;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    auto line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    auto key = trim(line.substr(0, line.find('=')));
    const bool dropped = key.starts_with("server.") || key.starts_with("group") ||
                         key.starts_with("weight") || key.starts_with("dynamicConfigFile") ||
                         key.starts_with("peerType") ||
                         (erase_client_address && key.starts_with("clientPort"));
    if (dropped) continue;
    out.append(line);
    out += '\n';
  }
  out += "dynamicConfigFile=";
  out += dynamic_path;
  out += '\n';
  return out;
}

} // namespace paddock::config
