// The txn log as its reader sees it after a crash: records written by txn_log_writer, then
// the file damaged the ways disks and crashes damage it — cut at every offset of the last
// record, bits flipped, records missing — and what replay_log makes of each.
#include "scratch_dir.hpp"
#include "store/disk/crc32c.hpp"
#include "store/disk/log_format.hpp"
#include "store/disk/posix_file_system.hpp"
#include "store/disk/txn_log_reader.hpp"
#include "store/disk/txn_log_writer.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::read_all;
using paddock::testing::scratch_dir;
using paddock::testing::write_all;
namespace fs = std::filesystem;

namespace {

// The real file system: these tests damage real files the way crashes do.
posix_file_system disk;

std::string body_of(int64_t zxid) {
  return "txn-" + std::to_string(zxid) + std::string(static_cast<size_t>(zxid % 7) * 13, 'x');
}

// Writes records first..last into one segment, one batch per record.
void write_segment(const std::string& dir, int64_t first, int64_t last, int64_t prealloc = 0) {
  txn_log_writer w(disk, dir, prealloc, true);
  REQUIRE(w.start_segment(first).ok());
  for (int64_t z = first; z <= last; ++z) {
    std::string rec;
    log_format::append_record(rec, z, body_of(z));
    REQUIRE(w.write(rec).ok());
    REQUIRE(w.sync().ok());
  }
}

struct replayed {
  log_replay_result result;
  std::vector<int64_t> zxids;
  bool bodies_match = true;
};

replayed replay(const std::string& dir, int64_t after = 0) {
  replayed r;
  r.result = replay_log(disk, dir, after, [&](int64_t zxid, std::string_view body) {
    r.zxids.push_back(zxid);
    if (body != body_of(zxid)) r.bodies_match = false;
    return true;
  });
  return r;
}

std::string segment_path(const std::string& dir, int64_t first) {
  return dir + "/" + log_format::segment_name(first);
}

std::vector<int64_t> range(int64_t first, int64_t last) {
  std::vector<int64_t> v;
  for (int64_t z = first; z <= last; ++z)
    v.push_back(z);
  return v;
}

} // namespace

TEST_CASE("crc32c matches the published check values") {
  CHECK(crc32c("") == 0);
  CHECK(crc32c("123456789") == 0xE3069283); // the CRC-32C check value
  std::string zeros(32, '\0');
  CHECK(crc32c(zeros) == 0x8A9136AA); // RFC 3720 B.4: 32 bytes of zeros
  // Extending in pieces gives the same value as all at once.
  std::string text = "the quick brown fox jumps over the lazy dog, twice over";
  uint32_t crc = 0;
  for (size_t i = 0; i < text.size(); i += 5)
    crc = crc32c_extend(
        crc, std::span<const char>(text.data() + i, std::min<size_t>(5, text.size() - i)));
  CHECK(crc == crc32c(text));
}

TEST_CASE("segment names and zxid succession") {
  CHECK(log_format::segment_name(0x100000001) == "log.0000000100000001");
  int64_t z = 0;
  CHECK(log_format::parse_segment_name("log.0000000100000001", z));
  CHECK(z == 0x100000001);
  CHECK_FALSE(log_format::parse_segment_name("log.00000001000000g1", z));
  CHECK_FALSE(log_format::parse_segment_name("snapshot.0000000100000001", z));
  CHECK(log_format::zxid_follows(5, 6));
  CHECK_FALSE(log_format::zxid_follows(5, 7));
  CHECK(log_format::zxid_follows(0x100000007, 0x200000001)); // a new epoch starts at 1
  CHECK_FALSE(log_format::zxid_follows(0x100000007, 0x200000002));
}

TEST_CASE("the log round-trips every record in order") {
  scratch_dir d;
  write_segment(d.path(), 1, 50);
  write_segment(d.path(), 51, 120, 64 * 1024); // preallocated: zeros after the records
  auto r = replay(d.path());
  REQUIRE(r.result.status.ok());
  CHECK(r.zxids == range(1, 120));
  CHECK(r.bodies_match);
  CHECK(r.result.last_zxid == 120);
  CHECK(r.result.repaired.empty());
  SECTION("replay after a snapshot skips what the snapshot holds") {
    auto after = replay(d.path(), 70);
    REQUIRE(after.result.status.ok());
    CHECK(after.zxids == range(71, 120));
  }
  SECTION("a snapshot at the very end: nothing to replay") {
    auto after = replay(d.path(), 120);
    REQUIRE(after.result.status.ok());
    CHECK(after.zxids.empty());
    CHECK(after.result.last_zxid == 120);
  }
}

TEST_CASE("empty and missing logs") {
  scratch_dir d;
  auto missing = replay(d.path() + "/nowhere");
  CHECK(missing.result.status.ok());
  CHECK(missing.zxids.empty());
  auto empty = replay(d.path());
  CHECK(empty.result.status.ok());
  SECTION("a segment created but never written (crash right after creating it)") {
    write_all(segment_path(d.path(), 1), "");
    auto r = replay(d.path());
    CHECK(r.result.status.ok());
    CHECK(r.zxids.empty());
    CHECK_FALSE(fs::exists(segment_path(d.path(), 1)));
  }
  SECTION("a header-only segment") {
    write_segment(d.path(), 1, 0, 4096);
    auto r = replay(d.path());
    CHECK(r.result.status.ok());
    CHECK(r.zxids.empty());
  }
}

TEST_CASE("a torn tail is cut at every offset of the last record") {
  scratch_dir base;
  write_segment(base.path(), 1, 10);
  const auto whole = read_all(segment_path(base.path(), 1));
  std::string last_record;
  log_format::append_record(last_record, 10, body_of(10));
  const size_t last_start = whole.size() - last_record.size();
  for (bool zero_padded : {false, true}) {
    for (size_t cut = last_start; cut < whole.size(); ++cut) {
      CAPTURE(cut, zero_padded);
      scratch_dir d;
      auto torn = whole.substr(0, cut);
      if (zero_padded) torn.resize(whole.size() + 4096, '\0'); // preallocated file
      write_all(segment_path(d.path(), 1), torn);
      auto r = replay(d.path());
      REQUIRE(r.result.status.ok());
      CHECK(r.zxids == range(1, 9));
      CHECK(r.result.last_zxid == 9);
      if (cut > last_start || !zero_padded) {
        // Cut away on disk: a second start sees a clean log ending at 9.
        CHECK(fs::file_size(segment_path(d.path(), 1)) == last_start);
      }
      auto again = replay(d.path());
      CHECK(again.result.status.ok());
      CHECK(again.zxids == range(1, 9));
      CHECK(again.result.repaired.empty());
    }
  }
}

TEST_CASE("a bit flip in the last record is a corrupt tail: anywhere before, the log stops") {
  scratch_dir base;
  write_segment(base.path(), 1, 10, 8192);
  const auto whole = read_all(segment_path(base.path(), 1));
  std::string last_record;
  log_format::append_record(last_record, 10, body_of(10));
  // The preallocated file: records, then zeros. Where do the records end?
  auto first_rest = replay(base.path()); // cuts the zero tail back to the records
  const auto records = read_all(segment_path(base.path(), 1));
  const size_t last_start = records.size() - last_record.size();
  REQUIRE(first_rest.zxids == range(1, 10));

  for (size_t offset = log_format::segment_header_size; offset < records.size(); offset += 3) {
    CAPTURE(offset);
    scratch_dir d;
    auto damaged = records;
    damaged[offset] = static_cast<char>(damaged[offset] ^ 0x10);
    write_all(segment_path(d.path(), 1), damaged);
    auto r = replay(d.path());
    if (offset >= last_start) {
      CHECK(r.result.status.ok());
      CHECK(r.zxids == range(1, 9));
      CHECK_FALSE(r.result.repaired.empty());
    } else {
      CHECK_FALSE(r.result.status.ok());
      CHECK(r.result.status.message.find("corrupt record") != std::string::npos);
      // Nothing is cut away from a log that is refused.
      CHECK(read_all(segment_path(d.path(), 1)) == damaged);
    }
  }
  (void)whole;
}

TEST_CASE("a bad header is corruption in older segments, an unfinished start in the last") {
  scratch_dir d;
  write_segment(d.path(), 1, 5);
  write_segment(d.path(), 6, 9);
  auto older = read_all(segment_path(d.path(), 1));
  older[0] = 'X';
  write_all(segment_path(d.path(), 1), older);
  auto r = replay(d.path());
  CHECK_FALSE(r.result.status.ok());
  CHECK(r.result.status.message.find("bad header") != std::string::npos);
}

TEST_CASE("a zxid gap stops the log") {
  SECTION("between segments") {
    scratch_dir d;
    write_segment(d.path(), 1, 5);
    write_segment(d.path(), 7, 9); // zxid 6 is missing
    auto r = replay(d.path());
    CHECK_FALSE(r.result.status.ok());
    CHECK(r.result.status.message.find("gap") != std::string::npos);
  }
  SECTION("inside a segment") {
    scratch_dir d;
    txn_log_writer w(disk, d.path(), 0, false);
    REQUIRE(w.start_segment(1).ok());
    std::string recs;
    for (int64_t z : {1, 2, 4})
      log_format::append_record(recs, z, body_of(z));
    REQUIRE(w.write(recs).ok());
    auto r = replay(d.path());
    CHECK_FALSE(r.result.status.ok());
    CHECK(r.zxids == range(1, 2));
  }
  SECTION("the log starts after the snapshot ends") {
    scratch_dir d;
    write_segment(d.path(), 11, 20);
    CHECK_FALSE(replay(d.path(), 5).result.status.ok());
    CHECK(replay(d.path(), 10).result.status.ok());
    CHECK_FALSE(replay(d.path(), 0).result.status.ok()); // no snapshot, no beginning
  }
  SECTION("a new epoch continues the log") {
    scratch_dir d;
    write_segment(d.path(), 1, 3);
    txn_log_writer w(disk, d.path(), 0, false);
    REQUIRE(w.start_segment(0x100000001).ok());
    std::string recs;
    log_format::append_record(recs, 0x100000001, body_of(0x100000001));
    REQUIRE(w.write(recs).ok());
    auto r = replay(d.path());
    CHECK(r.result.status.ok());
    CHECK(r.zxids == std::vector<int64_t>{1, 2, 3, 0x100000001});
  }
}

TEST_CASE("a torn batch whose later pages reached the disk first is still a torn tail") {
  scratch_dir d;
  txn_log_writer w(disk, d.path(), 0, false);
  REQUIRE(w.start_segment(1).ok());
  std::string batch;
  for (int64_t z = 1; z <= 40; ++z)
    log_format::append_record(batch, z, std::string(300, static_cast<char>('a' + z % 26)));
  REQUIRE(w.write(batch).ok());
  auto file = read_all(segment_path(d.path(), 1));
  // The page holding bytes 4096..8191 never made it: zeros, with records after it.
  for (size_t i = 4096; i < 8192 && i < file.size(); ++i)
    file[i] = '\0';
  write_all(segment_path(d.path(), 1), file);
  auto r = replay_log(disk, d.path(), 0, [](int64_t, std::string_view) { return true; });
  CHECK(r.status.ok());
  CHECK(r.last_zxid > 1);
  CHECK(r.last_zxid < 40);
  CHECK_FALSE(r.repaired.empty());
}

TEST_CASE("a failed write leaves nothing of its batch behind") {
  scratch_dir d;
  txn_log_writer w(disk, d.path(), 0, true);
  REQUIRE(w.start_segment(1).ok());
  std::string rec;
  log_format::append_record(rec, 1, body_of(1));
  REQUIRE(w.write(rec).ok());
  REQUIRE(w.sync().ok());
  auto durable = w.durable_end();
  CHECK(durable == static_cast<int64_t>(log_format::segment_header_size + rec.size()));
  CHECK(fs::file_size(w.segment_path()) == static_cast<uintmax_t>(durable));
}
