// The server's file system: each call does what its system call does, on real files in a
// scratch directory, and reports errors with their errno.
#include "scratch_dir.hpp"
#include "store/disk/posix_file_system.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>

using namespace paddock::store;
using paddock::testing::read_all;
using paddock::testing::scratch_dir;
using paddock::testing::write_all;

TEST_CASE("posix fs: write, read, truncate, preallocate, sync") {
  scratch_dir d;
  posix_file_system fs;
  const auto path = d.path() + "/f";
  std::unique_ptr<writable_file> w;
  REQUIRE(fs.open_for_write(path, open_mode::create_or_truncate, w).ok());
  CHECK(w->path() == path);
  REQUIRE(write_fully(*w, 0, "hello").ok());
  REQUIRE(write_fully(*w, 8, "world").ok()); // a hole reads as zeros
  REQUIRE(w->sync_data().ok());
  REQUIRE(w->sync().ok());
  CHECK(read_all(path) == std::string("hello\0\0\0world", 13));

  std::string bytes;
  REQUIRE(read_whole_file(fs, path, bytes).ok());
  CHECK(bytes == read_all(path));
  std::unique_ptr<readable_file> r;
  REQUIRE(fs.open_for_read(path, r).ok());
  char buf[8];
  size_t got = 0;
  REQUIRE(r->read_at(8, buf, sizeof buf, got).ok());
  CHECK(std::string(buf, got) == "world");
  REQUIRE(r->read_at(13, buf, sizeof buf, got).ok());
  CHECK(got == 0);

  REQUIRE(w->truncate(5).ok());
  CHECK(read_all(path) == "hello");
  auto pre = w->preallocate(5, 4096);
  if (pre.ok()) { // not every file system preallocates (EOPNOTSUPP)
    CHECK(std::filesystem::file_size(path) == 4101);
    CHECK(read_all(path) == "hello" + std::string(4096, '\0'));
  } else {
    CHECK(pre.error == EOPNOTSUPP);
  }
  int64_t size = 0;
  REQUIRE(r->size(size).ok());
  CHECK(size == static_cast<int64_t>(std::filesystem::file_size(path)));

  // Opening an existing file keeps it; create_or_truncate empties it.
  REQUIRE(fs.open_for_write(path, open_mode::existing, w).ok());
  CHECK(read_all(path).substr(0, 5) == "hello");
  REQUIRE(fs.open_for_write(path, open_mode::create_or_truncate, w).ok());
  CHECK(read_all(path).empty());
}

TEST_CASE("posix fs: directories, names, and errors as values") {
  scratch_dir d;
  posix_file_system fs;
  const auto dir = d.path() + "/a/b/c";
  REQUIRE(fs.create_directories(dir).ok());
  REQUIRE(fs.create_directories(dir).ok()); // already there: fine
  CHECK(std::filesystem::is_directory(dir));
  write_all(dir + "/one", "1");
  write_all(dir + "/two", "2");
  std::vector<std::string> names;
  REQUIRE(fs.list(dir, names).ok());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"one", "two"});

  REQUIRE(fs.rename(dir + "/one", dir + "/two").ok()); // replaces
  CHECK(read_all(dir + "/two") == "1");
  REQUIRE(fs.remove(dir + "/two").ok());
  REQUIRE(fs.sync_directory(dir).ok());
  REQUIRE(fs.list(dir, names).ok());
  CHECK(names.empty());

  std::unique_ptr<writable_file> w;
  std::unique_ptr<readable_file> r;
  CHECK(fs.open_for_read(dir + "/none", r).error == ENOENT);
  CHECK(fs.open_for_write(dir + "/none", open_mode::existing, w).error == ENOENT);
  CHECK(fs.open_for_write(d.path() + "/no/such", open_mode::create_or_truncate, w).error == ENOENT);
  CHECK(fs.list(d.path() + "/none", names).error == ENOENT);
  CHECK(fs.remove(dir + "/none").error == ENOENT);
  auto st = fs.rename(dir + "/none", dir + "/x");
  CHECK(st.error == ENOENT);
  CHECK(st.message.find("/none") != std::string::npos);
  CHECK(fs.sync_directory(d.path() + "/none").error == ENOENT);
  write_all(d.path() + "/file", "x");
  CHECK_FALSE(fs.create_directories(d.path() + "/file/sub").ok());
}
