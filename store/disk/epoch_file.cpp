#include "store/disk/epoch_file.hpp"

#include "store/disk/atomic_file.hpp"

#include <cerrno>
#include <charconv>

namespace paddock::store {

epoch_read read_epoch_file(file_system& fs, const std::string& path) {
  std::string text;
  if (auto st = read_whole_file(fs, path, text); !st.ok()) {
    if (st.error == ENOENT) return {};
    return {st, std::nullopt};
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0)
    return {io_status{EINVAL, path + ": not an epoch number: '" + text + "'", true}, std::nullopt};
  return {io_status::success(), value};
}

io_status write_epoch_file(file_system& fs, const std::string& path, int64_t epoch) {
  return write_file_atomically(fs, path, std::to_string(epoch) + "\n");
}

} // namespace paddock::store
