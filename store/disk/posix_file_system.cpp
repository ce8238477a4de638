#include "store/disk/posix_file_system.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace paddock::store {
namespace {

class posix_writable_file final : public writable_file {
public:
  posix_writable_file(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~posix_writable_file() override { ::close(fd_); }
  posix_writable_file(const posix_writable_file&) = delete;
  posix_writable_file& operator=(const posix_writable_file&) = delete;

  io_status write_at(int64_t offset, std::string_view bytes, size_t& written) override {
    written = 0;
    while (true) {
      auto n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_status::from_errno(errno, "write " + path_);
      written = static_cast<size_t>(n);
      return io_status::success();
    }
  }

  io_status sync_data() override {
    if (::fdatasync(fd_) != 0) return io_status::from_errno(errno, "fdatasync " + path_);
    return io_status::success();
  }

  io_status sync() override {
    if (::fsync(fd_) != 0) return io_status::from_errno(errno, "fsync " + path_);
    return io_status::success();
  }

  io_status truncate(int64_t size) override {
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
      if (errno != EINTR) return io_status::from_errno(errno, "truncate " + path_);
    return io_status::success();
  }

  io_status preallocate(int64_t offset, int64_t length) override {
    // fallocate(2) sets errno (posix_fallocate would return it instead).
    while (::fallocate(fd_, 0, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0)
      if (errno != EINTR) return io_status::from_errno(errno, "preallocate " + path_);
    return io_status::success();
  }

  const std::string& path() const override { return path_; }

private:
  int fd_;
  std::string path_;
};

class posix_readable_file final : public readable_file {
public:
  posix_readable_file(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~posix_readable_file() override { ::close(fd_); }
  posix_readable_file(const posix_readable_file&) = delete;
  posix_readable_file& operator=(const posix_readable_file&) = delete;

  io_status read_at(int64_t offset, char* buf, size_t n, size_t& got) override {
    got = 0;
    while (true) {
      auto r = ::pread(fd_, buf, n, static_cast<off_t>(offset));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return io_status::from_errno(errno, "read " + path_);
      got = static_cast<size_t>(r);
      return io_status::success();
    }
  }

  io_status size(int64_t& out) override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return io_status::from_errno(errno, "stat " + path_);
    out = static_cast<int64_t>(st.st_size);
    return io_status::success();
  }

  const std::string& path() const override { return path_; }

private:
  int fd_;
  std::string path_;
};

} // namespace

io_status posix_file_system::open_for_write(const std::string& path, open_mode mode,
                                            std::unique_ptr<writable_file>& out) {
  const int flags =
      O_WRONLY | O_CLOEXEC | (mode == open_mode::create_or_truncate ? O_CREAT | O_TRUNC : 0);
  int fd;
  do
    fd = ::open(path.c_str(), flags, 0644);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return io_status::from_errno(
        errno, (mode == open_mode::create_or_truncate ? "create " : "open ") + path);
  out = std::make_unique<posix_writable_file>(fd, path);
  return io_status::success();
}

io_status posix_file_system::open_for_read(const std::string& path,
                                           std::unique_ptr<readable_file>& out) {
  int fd;
  do
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return io_status::from_errno(errno, "open " + path);
  out = std::make_unique<posix_readable_file>(fd, path);
  return io_status::success();
}

io_status posix_file_system::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return io_status::from_errno(errno, "rename " + from + " to " + to);
  return io_status::success();
}

io_status posix_file_system::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return io_status::from_errno(errno, "remove " + path);
  return io_status::success();
}

io_status posix_file_system::sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_status::from_errno(errno, "open directory " + dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_status::from_errno(err, "fsync directory " + dir);
  return io_status::success();
}

io_status posix_file_system::list(const std::string& dir, std::vector<std::string>& names) {
  names.clear();
  DIR* d = ::opendir(dir.c_str());
  if (!d) return io_status::from_errno(errno, "list " + dir);
  errno = 0;
  while (auto* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  const int err = errno; // readdir returns null at the end (errno untouched) or on an error
  ::closedir(d);
  if (err != 0) return io_status::from_errno(err, "list " + dir);
  return io_status::success();
}

io_status posix_file_system::create_directories(const std::string& dir) {
  // Each prefix in turn, as `mkdir -p`; an existing one is fine.
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    auto prefix = dir.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      return io_status::from_errno(errno, "create directory " + prefix);
    if (slash == std::string::npos) break;
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return io_status::from_errno(errno, "stat " + dir);
  if (!S_ISDIR(st.st_mode)) return io_status::from_errno(ENOTDIR, "create directory " + dir);
  return io_status::success();
}

} // namespace paddock::store
