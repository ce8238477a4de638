#pragma once
// Writing a whole new directory of data (an import, an export, a restore) so that a failure
// leaves nothing behind: the files go to a temporary directory next to the target, which is
// renamed into place at the end, durably. The target must be absent or empty: new data never
// mixes with old.
#include "store/disk/io_status.hpp"
#include "store/disk/posix_file_system.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace paddock::store {

// Why `to` cannot receive a new directory (it exists and is a file, or is not empty).
std::optional<std::string> unfit_target(const std::string& to);

// A temporary directory name next to `to`, so the final rename stays in one file system.
std::filesystem::path temp_next_to(const std::string& to);

// Renames the finished `tmp` (from temp_next_to) to `to`, replacing an empty directory, and
// syncs the parent. A failed sync is an error although `to` is in place: not yet durably.
io_status install_directory(posix_file_system& disk, const std::filesystem::path& tmp,
                            const std::string& to);

} // namespace paddock::store
