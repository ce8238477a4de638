// paddock.log.* keys: their values, their limits, and how zoo.cfg reads them.
#include "config/log_config.hpp"
#include "config/zoo_config.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <variant>

using namespace paddock::config;

TEST_CASE("byte sizes take K, M and G suffixes in either case", "[config][log]") {
  CHECK(parse_byte_size("4096") == 4096);
  CHECK(parse_byte_size("64K") == 64 * 1024);
  CHECK(parse_byte_size("64k") == 64 * 1024);
  CHECK(parse_byte_size("10M") == 10 * 1024 * 1024);
  CHECK(parse_byte_size("2g") == int64_t{2} * 1024 * 1024 * 1024);
}

TEST_CASE("byte sizes refuse empty, zero, negative, junk and overflow", "[config][log]") {
  for (const char* text : {"", "K", "0", "0M", "-5", "12MB", "1.5M", " 10", "10 ",
                           "9999999999999999999", "8589934592G"})
    CHECK_FALSE(parse_byte_size(text).has_value());
}

TEST_CASE("the paddock.log keys set their fields", "[config][log]") {
  log_settings s;
  CHECK_FALSE(apply_log_key(s, "paddock.log.file", "/var/log/paddock/paddock.log"));
  CHECK_FALSE(apply_log_key(s, "paddock.log.level", "debug"));
  CHECK_FALSE(apply_log_key(s, "paddock.log.maxFileSize", "16M"));
  CHECK_FALSE(apply_log_key(s, "paddock.log.maxFiles", "3"));
  CHECK(s.file == "/var/log/paddock/paddock.log");
  CHECK(s.level == "debug");
  CHECK(s.max_file_size == 16 * 1024 * 1024);
  CHECK(s.max_files == 3);
}

TEST_CASE("the defaults: standard error at info, 64 MiB files, 10 kept", "[config][log]") {
  log_settings s;
  CHECK(s.file.empty());
  CHECK(s.level == "info");
  CHECK(s.max_file_size == 64 * 1024 * 1024);
  CHECK(s.max_files == 10);
}

TEST_CASE("invalid paddock.log values are refused with the reason", "[config][log]") {
  log_settings s;
  CHECK(apply_log_key(s, "paddock.log.level", "verbose"));
  CHECK(apply_log_key(s, "paddock.log.level", "INFO"));
  CHECK(apply_log_key(s, "paddock.log.maxFileSize", "1K")); // below one line's worth
  CHECK(apply_log_key(s, "paddock.log.maxFileSize", "lots"));
  CHECK(apply_log_key(s, "paddock.log.maxFiles", "0"));
  CHECK(apply_log_key(s, "paddock.log.maxFiles", "1001"));
  CHECK(apply_log_key(s, "paddock.log.maxFiles", "two"));
  CHECK(s.level == "info");
  CHECK(s.max_file_size == 64 * 1024 * 1024);
  CHECK(s.max_files == 10);
}

TEST_CASE("only the four paddock.log keys are log keys", "[config][log]") {
  CHECK(is_log_key("paddock.log.file"));
  CHECK(is_log_key("paddock.log.level"));
  CHECK(is_log_key("paddock.log.maxFileSize"));
  CHECK(is_log_key("paddock.log.maxFiles"));
  CHECK_FALSE(is_log_key("paddock.log.maxfilesize")); // keys are case-sensitive, as zoo.cfg's
  CHECK_FALSE(is_log_key("paddock.log"));
  CHECK_FALSE(is_log_key("paddock.workerThreads"));
}

TEST_CASE("zoo.cfg reads the log keys and fsync.warningthresholdms", "[config][log]") {
  auto r = parse_zoo_cfg("dataDir=/tmp/x\n"
                         "paddock.log.file=/tmp/x/paddock.log\n"
                         "paddock.log.level=warn\n"
                         "paddock.log.maxFileSize=1M\n"
                         "paddock.log.maxFiles=4\n"
                         "fsync.warningthresholdms=50\n");
  REQUIRE(std::holds_alternative<server_config>(r));
  const auto& c = std::get<server_config>(r);
  CHECK(c.log.file == "/tmp/x/paddock.log");
  CHECK(c.log.level == "warn");
  CHECK(c.log.max_file_size == 1024 * 1024);
  CHECK(c.log.max_files == 4);
  CHECK(c.fsync_warning_threshold_ms == 50);
  CHECK(c.warnings.empty()); // none of them is "accepted but not used"
}

TEST_CASE("zoo.cfg's fsync threshold defaults to ZooKeeper's 1000 ms", "[config][log]") {
  auto r = parse_zoo_cfg("dataDir=/tmp/x\n");
  REQUIRE(std::holds_alternative<server_config>(r));
  CHECK(std::get<server_config>(r).fsync_warning_threshold_ms == 1000);
}

TEST_CASE("a bad log value in zoo.cfg is an error naming key and value", "[config][log]") {
  auto r = parse_zoo_cfg("dataDir=/tmp/x\npaddock.log.maxFiles=none\n");
  REQUIRE(std::holds_alternative<config_error>(r));
  const auto& e = std::get<config_error>(r);
  CHECK(e.key == "paddock.log.maxFiles");
  CHECK(e.value == "none");
  r = parse_zoo_cfg("dataDir=/tmp/x\nfsync.warningthresholdms=-1\n");
  REQUIRE(std::holds_alternative<config_error>(r));
  CHECK(std::get<config_error>(r).key == "fsync.warningthresholdms");
}
