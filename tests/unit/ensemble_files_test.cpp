// What ZAB changes on a learner's disk: TRUNC cuts the log after a zxid, SNAP removes it, and
// the epoch files never go back. Each checked against what replay_log reads afterwards.
#include "scratch_dir.hpp"
#include "store/epoch_file.hpp"
#include "store/log_format.hpp"
#include "store/log_truncate.hpp"
#include "store/txn_log_reader.hpp"
#include "store/txn_log_writer.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::scratch_dir;
namespace fs = std::filesystem;

namespace {

constexpr int64_t epoch1 = int64_t{1} << 32;
constexpr int64_t epoch2 = int64_t{2} << 32;

// One segment per range, records first..last, preallocated like the server's.
void write_segment(const std::string& dir, int64_t first, int64_t last) {
  txn_log_writer w(dir, 64 * 1024, true);
  REQUIRE(w.start_segment(first).ok());
  for (int64_t z = first; z <= last; ++z) {
    std::string rec;
    log_format::append_record(rec, z, "body-" + std::to_string(z));
    REQUIRE(w.write(rec).ok());
  }
  REQUIRE(w.sync().ok());
}

std::vector<int64_t> replayed(const std::string& dir) {
  std::vector<int64_t> out;
  auto r = replay_log(dir, 0, [&](int64_t z, std::string_view body) {
    out.push_back(z);
    return body == "body-" + std::to_string(z);
  });
  REQUIRE(r.status.ok());
  return out;
}

std::vector<int64_t> range(int64_t first, int64_t last) {
  std::vector<int64_t> v;
  for (auto z = first; z <= last; ++z)
    v.push_back(z);
  return v;
}

} // namespace

TEST_CASE("TRUNC keeps exactly the records up to the zxid, across segments") {
  scratch_dir d;
  write_segment(d.path(), epoch1 + 1, epoch1 + 10);
  write_segment(d.path(), epoch1 + 11, epoch1 + 20);
  write_segment(d.path(), epoch2 + 1, epoch2 + 5);

  SECTION("inside the middle segment") {
    REQUIRE(truncate_log_after(d.path(), epoch1 + 14).ok());
    CHECK(replayed(d.path()) == range(epoch1 + 1, epoch1 + 14));
    CHECK(list_log_segments(d.path()).size() == 2);
    // The log goes on after the cut: the next leader's first txn follows.
    write_segment(d.path(), epoch2 + 1, epoch2 + 3);
    auto all = range(epoch1 + 1, epoch1 + 14);
    for (auto z : range(epoch2 + 1, epoch2 + 3))
      all.push_back(z);
    CHECK(replayed(d.path()) == all);
  }
  SECTION("at a segment's last record") {
    REQUIRE(truncate_log_after(d.path(), epoch1 + 20).ok());
    CHECK(replayed(d.path()) == range(epoch1 + 1, epoch1 + 20));
  }
  SECTION("before everything") {
    REQUIRE(truncate_log_after(d.path(), 0).ok());
    CHECK(replayed(d.path()).empty());
    CHECK(list_log_segments(d.path()).empty());
  }
  SECTION("after everything: nothing changes") {
    REQUIRE(truncate_log_after(d.path(), epoch2 + 99).ok());
    CHECK(replayed(d.path()).size() == 25);
  }
  SECTION("SNAP removes the whole log") {
    REQUIRE(remove_log(d.path()).ok());
    CHECK(list_log_segments(d.path()).empty());
    CHECK(remove_log(d.path()).ok());
  }
}

TEST_CASE("epoch files: written atomically, read back, damage reported") {
  scratch_dir d;
  const auto path = d.path() + "/currentEpoch";
  auto missing = read_epoch_file(path);
  CHECK(missing.status.ok());
  CHECK_FALSE(missing.value.has_value());

  REQUIRE(write_epoch_file(path, 7).ok());
  auto seven = read_epoch_file(path);
  REQUIRE(seven.value.has_value());
  CHECK(*seven.value == 7);
  REQUIRE(write_epoch_file(path, 8).ok());
  CHECK(*read_epoch_file(path).value == 8);
  CHECK_FALSE(fs::exists(path + ".tmp"));

  { std::ofstream(path) << "not a number\n"; }
  auto bad = read_epoch_file(path);
  CHECK_FALSE(bad.status.ok());
  CHECK(bad.status.message.find("currentEpoch") != std::string::npos);
  { std::ofstream(path) << "-3\n"; }
  CHECK_FALSE(read_epoch_file(path).status.ok());
  // ZooKeeper writes the number without a newline; both are read.
  { std::ofstream(path) << "12"; }
  CHECK(*read_epoch_file(path).value == 12);
}
