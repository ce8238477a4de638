// The log file: appends, rotates by size into FILE.1..FILE.N, reopens after a rename.
#include "actors/log_file_sink.hpp"
#include "scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <spdlog/logger.h>
#include <string>

using paddock::actors::log_file_sink;
using paddock::actors::rotated_log_name;
using paddock::testing::read_all;
using paddock::testing::scratch_dir;
namespace fs = std::filesystem;

namespace {

// A logger over the sink that writes the message alone, so sizes are exact: "x...x\n".
std::shared_ptr<spdlog::logger> logger_over(std::shared_ptr<log_file_sink> sink) {
  auto logger = std::make_shared<spdlog::logger>("test", std::move(sink));
  logger->set_pattern("%v");
  logger->flush_on(spdlog::level::trace);
  return logger;
}

} // namespace

TEST_CASE("rotated names append the index", "[actors][log]") {
  CHECK(rotated_log_name("/var/log/paddock.log", 0) == "/var/log/paddock.log");
  CHECK(rotated_log_name("/var/log/paddock.log", 1) == "/var/log/paddock.log.1");
  CHECK(rotated_log_name("p.log", 12) == "p.log.12");
}

TEST_CASE("lines go to the file, an existing file is appended to", "[actors][log]") {
  scratch_dir dir;
  const auto path = dir.path() + "/p.log";
  paddock::testing::write_all(path, "before\n");
  auto logger = logger_over(std::make_shared<log_file_sink>(path, 4096, 3));
  logger->info("one");
  logger->info("two");
  CHECK(read_all(path) == "before\none\ntwo\n");
}

TEST_CASE("a line that would pass the size starts a new file, the oldest falls off",
          "[actors][log]") {
  scratch_dir dir;
  const auto path = dir.path() + "/p.log";
  // 10-byte lines, 25-byte files: two lines a file.
  auto logger = logger_over(std::make_shared<log_file_sink>(path, 25, 2));
  for (char c : std::string("abcdefg"))
    logger->info(std::string(9, c));
  CHECK(read_all(path) == "ggggggggg\n");
  CHECK(read_all(path + ".1") == "eeeeeeeee\nfffffffff\n");
  CHECK(read_all(path + ".2") == "ccccccccc\nddddddddd\n");
  CHECK_FALSE(fs::exists(path + ".3")); // maxFiles rotated files, no more
  for (const auto& p : {path, path + ".1", path + ".2"})
    CHECK(fs::file_size(p) <= 25);
}

TEST_CASE("a line longer than the size limit is written whole, alone", "[actors][log]") {
  scratch_dir dir;
  const auto path = dir.path() + "/p.log";
  auto logger = logger_over(std::make_shared<log_file_sink>(path, 8, 2));
  logger->info("short");
  logger->info("a much longer line");
  CHECK(read_all(path) == "a much longer line\n");
  CHECK(read_all(path + ".1") == "short\n");
}

TEST_CASE("reopen after a rename writes to a new file at the path", "[actors][log]") {
  scratch_dir dir;
  const auto path = dir.path() + "/p.log";
  auto sink = std::make_shared<log_file_sink>(path, 4096, 3);
  auto logger = logger_over(sink);
  logger->info("old");
  fs::rename(path, path + ".moved");
  logger->info("still old"); // the open descriptor follows the renamed file
  sink->reopen();
  logger->info("new");
  CHECK(read_all(path + ".moved") == "old\nstill old\n");
  CHECK(read_all(path) == "new\n");
}
