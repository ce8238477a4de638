#pragma once
// Replacing a small file so that a crash leaves the old content or the new, never a torn or
// missing file: write a .tmp beside it, fsync it, rename it over, fsync the directory. For the
// epoch files and the ensemble's configuration files (zoo.cfg, its dynamic files).
#include "store/disk/file_system.hpp"
#include "store/disk/io_status.hpp"

#include <string>
#include <string_view>

namespace paddock::store {

io_status write_file_atomically(file_system& fs, const std::string& path, std::string_view text);

} // namespace paddock::store
