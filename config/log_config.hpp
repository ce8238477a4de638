#pragma once
// Where and how much the server logs: Paddock's own zoo.cfg keys paddock.log.* (ZooKeeper
// configures its logging in log4j's file, which Paddock does not read). The command line's
// --log-file and --log-level take precedence over these (actors/main.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::config {

struct log_settings {
  std::string file;                         // paddock.log.file ("" = standard error)
  std::string level = "info";               // paddock.log.level
  int64_t max_file_size = 64 * 1024 * 1024; // paddock.log.maxFileSize, bytes
  int32_t max_files = 10;                   // paddock.log.maxFiles: rotated files kept
};

// Whether `key` is one of the paddock.log.* keys above.
bool is_log_key(std::string_view key);

// Sets the field of `key` (a key is_log_key accepts) from `value`; the reason when the value
// is not valid ("must be ...").
std::optional<std::string> apply_log_key(log_settings& settings, std::string_view key,
                                         std::string_view value);

// A size in bytes: digits, optionally followed by K, M or G (powers of 1024, either case).
// Nothing for anything else, for zero or for a size over 2^62.
std::optional<int64_t> parse_byte_size(std::string_view text);

// trace, debug, info, warn, error, critical or off: the levels spdlog knows by these names.
bool valid_log_level(std::string_view level);

} // namespace paddock::config
