// The epoch files ZAB keeps (acceptedEpoch, currentEpoch): written atomically, read back,
// damage reported; on a failing disk, a failed write leaves the old value.
#include "scratch_dir.hpp"
#include "store/disk/epoch_file.hpp"
#include "store/disk/fault_injecting_file_system.hpp"
#include "store/disk/posix_file_system.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>

using namespace paddock::store;
using paddock::testing::scratch_dir;
namespace fs = std::filesystem;
using op = fault_injecting_file_system::op;

namespace {
posix_file_system disk;
} // namespace

TEST_CASE("epoch files: written atomically, read back, damage reported") {
  scratch_dir d;
  const auto path = d.path() + "/currentEpoch";
  auto missing = read_epoch_file(disk, path);
  CHECK(missing.status.ok());
  CHECK_FALSE(missing.value.has_value());

  REQUIRE(write_epoch_file(disk, path, 7).ok());
  auto seven = read_epoch_file(disk, path);
  REQUIRE(seven.value.has_value());
  CHECK(*seven.value == 7);
  REQUIRE(write_epoch_file(disk, path, 8).ok());
  CHECK(*read_epoch_file(disk, path).value == 8);
  CHECK_FALSE(fs::exists(path + ".tmp"));

  { std::ofstream(path) << "not a number\n"; }
  auto bad = read_epoch_file(disk, path);
  CHECK_FALSE(bad.status.ok());
  CHECK(bad.status.message.find("currentEpoch") != std::string::npos);
  { std::ofstream(path) << "-3\n"; }
  CHECK_FALSE(read_epoch_file(disk, path).status.ok());
  // ZooKeeper writes the number without a newline; both are read.
  { std::ofstream(path) << "12"; }
  CHECK(*read_epoch_file(disk, path).value == 12);
}

TEST_CASE("epoch files: a failure at any step, or a crash at any call, leaves the old value") {
  const std::string dir = "/data";
  const std::string path = dir + "/acceptedEpoch";
  auto prepared = [&](fault_injecting_file_system& fs) {
    REQUIRE(fs.create_directories(dir).ok());
    REQUIRE(write_epoch_file(fs, path, 7).ok());
  };
  auto value = [&](fault_injecting_file_system& fs) {
    auto r = read_epoch_file(fs, path);
    INFO(r.status.message);
    REQUIRE(r.status.ok());
    REQUIRE(r.value.has_value());
    return *r.value;
  };
  // A clean write of "8\n": how many calls of each step and bytes it takes.
  std::map<fault_injecting_file_system::op, uint64_t> calls;
  uint64_t mutating = 0;
  int64_t bytes = 0;
  {
    fault_injecting_file_system fs;
    prepared(fs);
    std::map<fault_injecting_file_system::op, uint64_t> before;
    for (auto o : {op::open_write, op::write, op::sync, op::rename, op::sync_directory})
      before[o] = fs.calls(o);
    const auto m = fs.mutating_calls();
    const auto b = fs.bytes_written();
    REQUIRE(write_epoch_file(fs, path, 8).ok());
    for (auto& [o, n] : before)
      calls[o] = fs.calls(o) - n;
    mutating = fs.mutating_calls() - m;
    bytes = static_cast<int64_t>(fs.bytes_written() - b);
    CHECK(value(fs) == 8);
  }

  SECTION("ENOSPC at every byte") {
    for (int64_t space = 0; space < bytes; ++space) {
      CAPTURE(space);
      fault_injecting_file_system fs;
      prepared(fs);
      fs.set_space(space);
      CHECK_FALSE(write_epoch_file(fs, path, 8).ok());
      CHECK(value(fs) == 7);
      CHECK_FALSE(fs.exists(path + ".tmp"));
      fs.crash();
      fs.restart();
      CHECK(value(fs) == 7);
    }
  }
  SECTION("EIO at every call of every step") {
    for (const auto& [step, n] : calls) {
      REQUIRE(n > 0);
      for (uint64_t k = 0; k < n; ++k) {
        CAPTURE(static_cast<int>(step), k);
        fault_injecting_file_system fs;
        prepared(fs);
        fs.fail(step, EIO, k);
        CHECK_FALSE(write_epoch_file(fs, path, 8).ok());
        // Only the directory fsync comes after the rename: the new value may be visible
        // (the caller stops the server); before it, the old one is.
        if (step == op::sync_directory)
          CHECK(value(fs) == 8);
        else
          CHECK(value(fs) == 7);
        fs.crash();
        fs.restart();
        CHECK(value(fs) == 7);
      }
    }
  }
  SECTION("the power goes at every call") {
    for (uint64_t at = 0; at <= mutating; ++at) {
      for (size_t keep : {size_t{0}, size_t{1}, size_t{1} << 20}) {
        CAPTURE(at, keep);
        fault_injecting_file_system fs;
        prepared(fs);
        fs.crash_after(at, keep);
        auto st = write_epoch_file(fs, path, 8);
        if (!fs.crashed()) fs.crash(keep);
        fs.restart();
        // Never torn, never missing: the old value, or the new one once the write succeeded.
        CHECK(value(fs) == (st.ok() ? 8 : 7));
      }
    }
  }
}
