#include "store/disk/file_system.hpp"

#include <cerrno>

namespace paddock::store {

io_status write_fully(writable_file& file, int64_t offset, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    size_t written = 0;
    auto st = file.write_at(offset + static_cast<int64_t>(done), bytes.substr(done), written);
    if (!st.ok()) return st;
    // A write that takes nothing and reports no error: the disk has no room (as write(2)
    // returning 0 for a regular file means).
    if (written == 0) return io_status::from_errno(ENOSPC, "write " + file.path());
    done += written;
  }
  return io_status::success();
}

io_status read_whole_file(file_system& fs, const std::string& path, std::string& out) {
  out.clear();
  std::unique_ptr<readable_file> file;
  if (auto st = fs.open_for_read(path, file); !st.ok()) return st;
  int64_t size = 0;
  if (auto st = file->size(size); !st.ok()) return st;
  out.resize(static_cast<size_t>(size));
  size_t done = 0;
  while (done < out.size()) {
    size_t got = 0;
    auto st = file->read_at(static_cast<int64_t>(done), out.data() + done, out.size() - done, got);
    if (!st.ok()) return st;
    if (got == 0) break; // the file shrank meanwhile: what is there is what it holds
    done += got;
  }
  out.resize(done);
  return io_status::success();
}

io_status truncate_durably(file_system& fs, const std::string& path, int64_t size) {
  std::unique_ptr<writable_file> file;
  if (auto st = fs.open_for_write(path, open_mode::existing, file); !st.ok()) return st;
  if (auto st = file->truncate(size); !st.ok()) return st;
  return file->sync_data();
}

std::string parent_directory(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

} // namespace paddock::store
