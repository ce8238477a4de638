#include "tools/cli/reconfig_spec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace paddock::cli {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// zkCli lower-cases what is given on its command line (host names, "Observer"), not a file.
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

} // namespace

std::string server_lines(std::string_view file_text) {
  std::string out;
  while (!file_text.empty()) {
    auto nl = file_text.find('\n');
    auto line = trim(file_text.substr(0, nl));
    file_text = nl == std::string_view::npos ? std::string_view{} : file_text.substr(nl + 1);
    if (!line.starts_with("server.") || line.find('=') == std::string_view::npos) continue;
    if (!out.empty()) out += '\n';
    out.append(line);
  }
  return out;
}

std::optional<int64_t> parse_config_version(std::string_view text) {
  bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.empty() || text.starts_with('-') || text.starts_with('+')) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, 16);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  // Versions are zxids: positive 64-bit values, so anything wider is a typo, not a version.
  if (magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  auto value = static_cast<int64_t>(magnitude);
  return negative ? -value : value;
}

std::variant<jute::reconfig_request, std::string>
build_reconfig_request(const reconfig_options& options) {
  const bool incremental = options.add || options.remove;
  const bool bulk = options.members || options.file;
  if (incremental && bulk)
    return std::string("can't use --file or --members together with --add or --remove (mixing "
                       "incremental and non-incremental modes is not allowed)");
  if (options.members && options.file)
    return std::string(
        "can't use --file and --members together (conflicting non-incremental modes)");
  if (!incremental && !bulk)
    return std::string("give at least one of --add, --remove, --members or --file");

  jute::reconfig_request request;
  if (options.add) request.joining_servers = lower(*options.add);
  if (options.remove) request.leaving_servers = lower(*options.remove);
  if (options.members) request.new_members = lower(*options.members);
  if (options.file) {
    auto lines = server_lines(*options.file);
    if (lines.empty()) return std::string("the file has no server.N=... line");
    request.new_members = std::move(lines);
  }
  if (options.version) {
    auto version = parse_config_version(*options.version);
    if (!version)
      return "--version must be a configuration version in hex (as /zookeeper/config's "
             "version= line), got '" +
             *options.version + "'";
    request.cur_config_id = *version;
  }
  return request;
}

} // namespace paddock::cli
