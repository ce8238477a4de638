#pragma once
// A temporary directory for tests that touch files; removed with everything in it.
#include <filesystem>
#include <stdexcept>
#include <stdlib.h>
#include <string>

namespace paddock::testing {

class scratch_dir {
public:
  scratch_dir() {
    char tmpl[] = "/tmp/paddock-test-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

} // namespace paddock::testing
