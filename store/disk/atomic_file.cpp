#include "store/disk/atomic_file.hpp"

#include <memory>

namespace paddock::store {

io_status write_file_atomically(file_system& fs, const std::string& path, std::string_view text) {
  auto tmp = path + ".tmp";
  std::unique_ptr<writable_file> file;
  if (auto st = fs.open_for_write(tmp, open_mode::create_or_truncate, file); !st.ok()) return st;
  auto st = write_fully(*file, 0, text);
  if (st.ok()) st = file->sync();
  file.reset();
  if (st.ok()) st = fs.rename(tmp, path);
  if (!st.ok()) {
    (void)fs.remove(tmp);
    return st;
  }
  return fs.sync_directory(parent_directory(path));
}

} // namespace paddock::store
