// The test file system itself: its durability model (what a crash keeps) and each fault
// firing exactly where it was armed. The disk-fault tests of the log, snapshots and epoch
// files are only as good as this.
#include "store/disk/fault_injecting_file_system.hpp"

#include <catch2/catch.hpp>
#include <cerrno>

using namespace paddock::store;
using op = fault_injecting_file_system::op;

namespace {

std::unique_ptr<writable_file> create(fault_injecting_file_system& fs, const std::string& path) {
  std::unique_ptr<writable_file> f;
  REQUIRE(fs.open_for_write(path, open_mode::create_or_truncate, f).ok());
  return f;
}

void write(writable_file& f, int64_t offset, const std::string& bytes) {
  REQUIRE(write_fully(f, offset, bytes).ok());
}

std::string read(fault_injecting_file_system& fs, const std::string& path) {
  std::string out;
  REQUIRE(read_whole_file(fs, path, out).ok());
  return out;
}

} // namespace

TEST_CASE("fault fs: a crash keeps exactly what was synced") {
  fault_injecting_file_system fs;
  REQUIRE(fs.create_directories("/d").ok());

  SECTION("a file never synced, in a directory never synced, is gone") {
    auto f = create(fs, "/d/a");
    write(*f, 0, "hello");
    fs.crash();
    fs.restart();
    CHECK_FALSE(fs.exists("/d/a"));
  }
  SECTION("a synced file whose directory entry was never synced is gone too") {
    auto f = create(fs, "/d/a");
    write(*f, 0, "hello");
    REQUIRE(f->sync_data().ok());
    fs.crash();
    fs.restart();
    CHECK_FALSE(fs.exists("/d/a"));
  }
  SECTION("a synced entry of an unsynced file is there, empty") {
    auto f = create(fs, "/d/a");
    REQUIRE(fs.sync_directory("/d").ok());
    write(*f, 0, "hello");
    fs.crash();
    fs.restart();
    CHECK(fs.exists("/d/a"));
    CHECK(read(fs, "/d/a").empty());
  }
  SECTION("synced bytes stay, later ones go, a later truncation is undone") {
    auto f = create(fs, "/d/a");
    write(*f, 0, "hello");
    REQUIRE(f->sync().ok());
    REQUIRE(fs.sync_directory("/d").ok());
    write(*f, 5, " world");
    REQUIRE(f->truncate(2).ok());
    CHECK(read(fs, "/d/a") == "he");
    fs.crash();
    fs.restart();
    CHECK(read(fs, "/d/a") == "hello");
  }
  SECTION("a rename is durable with its directory, not before") {
    fs.put_file("/d/epoch", "7");
    auto f = create(fs, "/d/epoch.tmp");
    write(*f, 0, "8");
    REQUIRE(f->sync().ok());
    REQUIRE(fs.rename("/d/epoch.tmp", "/d/epoch").ok());
    CHECK(read(fs, "/d/epoch") == "8");
    SECTION("crash before the directory sync") {
      fs.crash();
      fs.restart();
      CHECK(read(fs, "/d/epoch") == "7");
    }
    SECTION("crash after it") {
      REQUIRE(fs.sync_directory("/d").ok());
      fs.crash();
      fs.restart();
      CHECK(read(fs, "/d/epoch") == "8");
      CHECK_FALSE(fs.exists("/d/epoch.tmp"));
    }
  }
  SECTION("a remove is durable with its directory") {
    fs.put_file("/d/old", "x");
    REQUIRE(fs.remove("/d/old").ok());
    CHECK_FALSE(fs.exists("/d/old"));
    fs.crash();
    fs.restart();
    CHECK(read(fs, "/d/old") == "x");
  }
  SECTION("a torn crash keeps the first unsynced bytes in the order written") {
    fs.put_file("/d/log", "");
    std::unique_ptr<writable_file> f;
    REQUIRE(fs.open_for_write("/d/log", open_mode::existing, f).ok());
    write(*f, 0, "abcd");
    write(*f, 10, "XY");
    write(*f, 2, "zz");
    fs.crash(5); // "abcd" and the "X" of the second write; the third never
    fs.restart();
    CHECK(read(fs, "/d/log") == std::string("abcd\0\0\0\0\0\0X", 11));
  }
  SECTION("files opened before a crash stay dead after it") {
    auto f = create(fs, "/d/a");
    REQUIRE(fs.sync_directory("/d").ok());
    fs.crash();
    size_t written = 0;
    std::vector<std::string> names;
    CHECK(f->write_at(0, "x", written).error == EIO);
    CHECK(fs.list("/d", names).error == EIO);
    fs.restart();
    CHECK(f->write_at(0, "x", written).error == EIO);
    CHECK(f->sync().error == EIO);
    CHECK(read(fs, "/d/a").empty());
  }
}

TEST_CASE("fault fs: each fault fires where it was armed") {
  fault_injecting_file_system fs;
  REQUIRE(fs.create_directories("/d/e").ok());
  auto f = create(fs, "/d/e/log.1");
  auto g = create(fs, "/d/e/snapshot.1");

  SECTION("the k-th call, only on matching paths, once or from then on") {
    fs.fail(op::sync, EIO, 1, "log.");
    CHECK(g->sync().ok()); // another path: not counted
    CHECK(f->sync().ok()); // skipped
    CHECK(f->sync().error == EIO);
    CHECK(f->sync().ok()); // once
    fs.fail(op::rename, EXDEV, 0, {}, true);
    CHECK(fs.rename("/d/e/log.1", "/d/e/log.2").error == EXDEV);
    CHECK(fs.rename("/d/e/log.1", "/d/e/log.2").error == EXDEV);
    fs.clear_faults();
    CHECK(fs.rename("/d/e/log.1", "/d/e/log.2").ok());
  }
  SECTION("ENOSPC after exactly n bytes: the write that reaches it is short") {
    fs.set_space(10);
    size_t written = 0;
    REQUIRE(f->write_at(0, "12345678", written).ok());
    CHECK(written == 8);
    REQUIRE(g->write_at(0, "abcdef", written).ok());
    CHECK(written == 2);
    CHECK(g->write_at(2, "cdef", written).error == ENOSPC);
    CHECK(write_fully(*f, 8, "9").error == ENOSPC);
    CHECK(f->preallocate(8, 4096).error == ENOSPC);
    CHECK(f->truncate(4).ok()); // shrinking needs no room
    CHECK(read(fs, "/d/e/log.1") == "1234");
    fs.set_space(std::nullopt);
    CHECK(write_fully(*f, 4, "5").ok());
    CHECK(f->preallocate(0, 100).ok());
    CHECK(read(fs, "/d/e/log.1").size() == 100);
  }
  SECTION("a short write without an error, finished by write_fully") {
    fs.short_write_after(3);
    size_t written = 0;
    REQUIRE(f->write_at(0, "ab", written).ok());
    CHECK(written == 2);
    REQUIRE(f->write_at(2, "cdef", written).ok());
    CHECK(written == 1);
    REQUIRE(f->write_at(3, "def", written).ok());
    CHECK(written == 3);
    fs.short_write_after(2);
    CHECK(write_fully(*g, 0, "hello").ok());
    CHECK(fs.calls(op::write) == 5);
    CHECK(read(fs, "/d/e/snapshot.1") == "hello");
  }
  SECTION("the power goes at the n-th mutating call, and stays off until a restart") {
    fs.crash_after(2);
    std::vector<std::string> names;
    CHECK(write_fully(*f, 0, "a").ok()); // 0
    CHECK(fs.list("/d/e", names).ok());  // reads do not count
    CHECK(f->sync().ok());               // 1
    CHECK(fs.sync_directory("/d/e").error == EIO);
    CHECK(fs.crashed());
    CHECK(fs.list("/d/e", names).error == EIO);
    fs.restart();
    REQUIRE(fs.list("/d/e", names).ok());
    CHECK(names.empty()); // the entries were never synced
  }
  SECTION("what does not exist") {
    std::unique_ptr<writable_file> w;
    std::unique_ptr<readable_file> r;
    std::vector<std::string> names;
    CHECK(fs.open_for_write("/d/e/none", open_mode::existing, w).error == ENOENT);
    CHECK(fs.open_for_write("/nowhere/x", open_mode::create_or_truncate, w).error == ENOENT);
    CHECK(fs.open_for_read("/d/e/none", r).error == ENOENT);
    CHECK(fs.list("/nowhere", names).error == ENOENT);
    CHECK(fs.remove("/d/e/none").error == ENOENT);
    CHECK(fs.rename("/d/e/none", "/d/e/x").error == ENOENT);
    REQUIRE(fs.list("/d", names).ok());
    CHECK(names.empty()); // directories are not listed, only files
  }
}
