#include "store/disk/fresh_directory.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace paddock::store {

namespace fs = std::filesystem;

std::optional<std::string> unfit_target(const std::string& to) {
  std::error_code ec;
  if (!fs::exists(to, ec)) return std::nullopt;
  if (!fs::is_directory(to, ec)) return fmt::format("{} exists and is not a directory", to);
  if (!fs::is_empty(to, ec)) return fmt::format("{} is not empty: refusing to write into it", to);
  return std::nullopt;
}

fs::path temp_next_to(const std::string& to) {
  fs::path target = fs::absolute(to).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  return target.parent_path() / fmt::format(".{}.tmp-{}", target.filename().string(), getpid());
}

io_status install_directory(posix_file_system& disk, const fs::path& tmp, const std::string& to) {
  std::error_code ec;
  if (fs::exists(to, ec)) fs::remove(to, ec); // empty: unfit_target checked it
  if (auto st = disk.rename(tmp.string(), to); !st.ok()) return st;
  // `tmp` was made next to `to` (temp_next_to): its parent is the one the rename changed.
  if (auto st = disk.sync_directory(tmp.parent_path().string()); !st.ok()) {
    st.message = fmt::format("{} is in place, but a crash may still undo that: {}", to, st.message);
    return st;
  }
  return io_status::success();
}

} // namespace paddock::store
