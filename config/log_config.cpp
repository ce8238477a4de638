#include "config/log_config.hpp"

#include <charconv>

namespace paddock::config {

namespace {

constexpr std::string_view file_key = "paddock.log.file";
constexpr std::string_view level_key = "paddock.log.level";
constexpr std::string_view max_file_size_key = "paddock.log.maxFileSize";
constexpr std::string_view max_files_key = "paddock.log.maxFiles";

} // namespace

bool is_log_key(std::string_view key) {
  return key == file_key || key == level_key || key == max_file_size_key || key == max_files_key;
}

bool valid_log_level(std::string_view level) {
  for (std::string_view known : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    if (level == known) return true;
  return false;
}

std::optional<int64_t> parse_byte_size(std::string_view text) {
  int64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
    case 'k':
    case 'K': unit = int64_t{1} << 10; break;
    case 'm':
    case 'M': unit = int64_t{1} << 20; break;
    case 'g':
    case 'G': unit = int64_t{1} << 30; break;
    default: break;
    }
    if (unit != 1) text.remove_suffix(1);
  }
  int64_t count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  constexpr int64_t limit = int64_t{1} << 62;
  if (count <= 0 || count > limit / unit) return std::nullopt;
  return count * unit;
}

std::optional<std::string> apply_log_key(log_settings& settings, std::string_view key,
                                         std::string_view value) {
  if (key == file_key) {
    // An empty value keeps standard error, so that a zoo.cfg template can leave it blank.
    settings.file = value;
    return std::nullopt;
  }
  if (key == level_key) {
    if (!valid_log_level(value))
      return "must be one of trace, debug, info, warn, error, critical, off";
    settings.level = value;
    return std::nullopt;
  }
  if (key == max_file_size_key) {
    // Below one line's worth every message would start a new file.
    auto size = parse_byte_size(value);
    if (!size || *size < 4096)
      return "must be a size of at least 4096 bytes (a number, optionally with K, M or G)";
    settings.max_file_size = *size;
    return std::nullopt;
  }
  if (key == max_files_key) {
    int32_t count = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), count);
    if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || count < 1 ||
        count > 1000)
      return "must be a number of rotated files to keep, 1 to 1000";
    settings.max_files = count;
    return std::nullopt;
  }
  return "is not a paddock.log key";
}

} // namespace paddock::config
