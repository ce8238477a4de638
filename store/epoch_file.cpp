#include "store/epoch_file.hpp"

#include "store/txn_log_writer.hpp" // sync_directory

#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace paddock::store {

epoch_read read_epoch_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return {};
    return {io_status::from_errno(EIO, "read " + path), std::nullopt};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0)
    return {io_status{EINVAL, path + ": not an epoch number: '" + text + "'", true}, std::nullopt};
  return {io_status::success(), value};
}

io_status write_epoch_file(const std::string& path, int64_t epoch) {
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_status::from_errno(errno, "create " + tmp);
  auto text = std::to_string(epoch) + "\n";
  io_status st;
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    st = io_status::from_errno(errno ? errno : ENOSPC, "write " + tmp);
  else if (::fsync(fd) != 0)
    st = io_status::from_errno(errno, "fsync " + tmp);
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    st = io_status::from_errno(errno, "rename " + tmp);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  auto slash = path.rfind('/');
  return sync_directory(slash == std::string::npos ? "." : path.substr(0, slash));
}

} // namespace paddock::store
