#pragma once
// The outcome of a file operation, as a value the caller must look at: the errno and what
// was being done ("write log.0000000100000001: No space left on device").
#include <string>

namespace paddock::store {

struct io_status {
  int error = 0; // errno; 0 = success
  std::string message;
  // The process must stop: what is on disk is no longer known (a failed fsync, a failed
  // truncation after a failed write). Recovery at the next start reads what really is there.
  bool fatal = false;

  bool ok() const { return error == 0; }
  static io_status success() { return {}; }
  static io_status from_errno(int err, const std::string& what);
  static io_status fatal_errno(int err, const std::string& what) {
    auto st = from_errno(err, what);
    st.fatal = true;
    return st;
  }
};

} // namespace paddock::store
