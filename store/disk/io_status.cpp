#include "store/disk/io_status.hpp"

#include <cerrno>
#include <cstring>

namespace paddock::store {

io_status io_status::from_errno(int err, const std::string& what) {
  // An errno of 0 here means a call failed without saying why: report it as an I/O error
  // rather than as a success.
  const int e = err == 0 ? EIO : err;
  return {e, what + ": " + std::strerror(e)};
}

} // namespace paddock::store
