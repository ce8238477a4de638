// What ZAB changes in a learner's log: TRUNC cuts the log after a zxid, SNAP removes it. Each
// checked against what replay_log reads afterwards, on real files and on a failing disk.
#include "scratch_dir.hpp"
#include "store/disk/fault_injecting_file_system.hpp"
#include "store/disk/log_format.hpp"
#include "store/disk/log_truncate.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/txn_log_reader.hpp"
#include "store/disk/txn_log_writer.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <functional>
#include <map>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::scratch_dir;

namespace {

posix_file_system disk;

std::vector<log_segment_file> segments_in(const std::string& dir) {
  std::vector<log_segment_file> out;
  REQUIRE(list_log_segments(disk, dir, out).ok());
  return out;
}

constexpr int64_t epoch1 = int64_t{1} << 32;
constexpr int64_t epoch2 = int64_t{2} << 32;

// One segment per range, records first..last, preallocated like the server's.
void write_segment(const std::string& dir, int64_t first, int64_t last) {
  txn_log_writer w(disk, dir, 64 * 1024, true);
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
  auto r = replay_log(disk, dir, 0, [&](int64_t z, std::string_view body) {
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
    REQUIRE(truncate_log_after(disk, d.path(), epoch1 + 14).ok());
    CHECK(replayed(d.path()) == range(epoch1 + 1, epoch1 + 14));
    CHECK(segments_in(d.path()).size() == 2);
    // The log goes on after the cut: the next leader's first txn follows.
    write_segment(d.path(), epoch2 + 1, epoch2 + 3);
    auto all = range(epoch1 + 1, epoch1 + 14);
    for (auto z : range(epoch2 + 1, epoch2 + 3))
      all.push_back(z);
    CHECK(replayed(d.path()) == all);
  }
  SECTION("at a segment's last record") {
    REQUIRE(truncate_log_after(disk, d.path(), epoch1 + 20).ok());
    CHECK(replayed(d.path()) == range(epoch1 + 1, epoch1 + 20));
  }
  SECTION("before everything") {
    REQUIRE(truncate_log_after(disk, d.path(), 0).ok());
    CHECK(replayed(d.path()).empty());
    CHECK(segments_in(d.path()).empty());
  }
  SECTION("after everything: nothing changes") {
    REQUIRE(truncate_log_after(disk, d.path(), epoch2 + 99).ok());
    CHECK(replayed(d.path()).size() == 25);
  }
  SECTION("SNAP removes the whole log") {
    REQUIRE(remove_log(disk, d.path()).ok());
    CHECK(segments_in(d.path()).empty());
    CHECK(remove_log(disk, d.path()).ok());
  }
}

TEST_CASE("TRUNC and SNAP on a failing disk: a failure or a crash at any call leaves a prefix of "
          "the log") {
  using op = fault_injecting_file_system::op;
  const std::string dir = "/data/log";
  // Three segments in one epoch: 1..10, 11..20, 21..25. A hole between them (a cut middle
  // segment with the last one still there) would be a zxid gap recovery refuses.
  auto prepared = [&](fault_injecting_file_system& fs) {
    REQUIRE(fs.create_directories(dir).ok());
    for (auto [first, last] : {std::pair{1, 10}, std::pair{11, 20}, std::pair{21, 25}}) {
      txn_log_writer w(fs, dir, 4096, true);
      REQUIRE(w.start_segment(first).ok());
      for (int64_t z = first; z <= last; ++z) {
        std::string rec;
        log_format::append_record(rec, z, "body-" + std::to_string(z));
        REQUIRE(w.write(rec).ok());
      }
      REQUIRE(w.sync().ok());
    }
  };
  auto replayed_from = [](fault_injecting_file_system& fs, const std::string& d) {
    std::vector<int64_t> out;
    auto r = replay_log(fs, d, 0, [&](int64_t z, std::string_view body) {
      out.push_back(z);
      return body == "body-" + std::to_string(z);
    });
    INFO(r.status.message);
    CHECK(r.status.ok());
    return out;
  };
  struct action {
    const char* name;
    std::function<io_status(fault_injecting_file_system&)> run;
    int64_t keeps; // the log ends here once it succeeded
  };
  const std::vector<action> actions{
      {"TRUNC to 14", [&](auto& fs) { return truncate_log_after(fs, dir, 14); }, 14},
      {"TRUNC to 20", [&](auto& fs) { return truncate_log_after(fs, dir, 20); }, 20},
      {"SNAP", [&](auto& fs) { return remove_log(fs, dir); }, 0},
  };
  for (const auto& a : actions) {
    uint64_t mutating = 0;
    std::map<op, uint64_t> calls;
    {
      fault_injecting_file_system fs;
      prepared(fs);
      const auto before = fs.mutating_calls();
      std::map<op, uint64_t> start;
      for (auto o : {op::remove, op::sync_directory, op::truncate, op::sync, op::open_write})
        start[o] = fs.calls(o);
      REQUIRE(a.run(fs).ok());
      mutating = fs.mutating_calls() - before;
      for (auto& [o, n] : start)
        if (fs.calls(o) > n) calls[o] = fs.calls(o) - n;
      CHECK(replayed_from(fs, dir) == range(1, a.keeps));
    }
    // Whatever the log holds afterwards is 1..n for some n between what the action keeps
    // and the whole log.
    auto check_prefix = [&](fault_injecting_file_system& fs) {
      auto got = replayed_from(fs, dir);
      CHECK(got == range(1, static_cast<int64_t>(got.size())));
      CHECK(static_cast<int64_t>(got.size()) >= a.keeps);
    };
    for (const auto& [step, n] : calls)
      for (uint64_t k = 0; k < n; ++k) {
        CAPTURE(a.name, static_cast<int>(step), k);
        fault_injecting_file_system fs;
        prepared(fs);
        fs.fail(step, EIO, k);
        CHECK_FALSE(a.run(fs).ok());
        fs.clear_faults();
        check_prefix(fs);
        fs.crash();
        fs.restart();
        check_prefix(fs);
      }
    for (uint64_t at = 0; at < mutating; ++at)
      for (size_t keep : {size_t{0}, size_t{1} << 20}) {
        CAPTURE(a.name, at, keep);
        fault_injecting_file_system fs;
        prepared(fs);
        fs.crash_after(at, keep);
        CHECK_FALSE(a.run(fs).ok());
        fs.restart();
        check_prefix(fs);
      }
  }
}
