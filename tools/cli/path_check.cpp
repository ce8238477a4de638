#include "tools/cli/path_check.hpp"

namespace paddock::cli {

std::string path_problem(std::string_view given, bool sequential) {
  std::string path(given);
  if (sequential) path += "1";
  if (path.empty()) return "Path length must be > 0";
  if (path[0] != '/') return "Path must start with / character";
  if (path.size() == 1) return "";
  if (path.back() == '/') return "Path must not end with / character";
  std::string reason;
  for (size_t i = 1; i < path.size() && reason.empty(); ++i) {
    auto c = static_cast<unsigned char>(path[i]);
    char last = path[i - 1];
    auto at = " @" + std::to_string(i);
    bool ends_name = i + 1 == path.size() || path[i + 1] == '/';
    if (c == 0)
      reason = "null character not allowed" + at;
    else if (c == '/' && last == '/')
      reason = "empty node name specified" + at;
    else if (c == '.' && last == '.' && i >= 2 && path[i - 2] == '/' && ends_name)
      reason = "relative paths not allowed" + at;
    else if (c == '.' && last == '/' && ends_name)
      reason = "relative paths not allowed" + at;
    else if ((c > 0 && c <= 0x1f) || c == 0x7f)
      reason = "invalid character" + at;
  }
  if (reason.empty()) return "";
  return "Invalid path string \"" + std::string(given) + "\" caused by " + reason;
}

} // namespace paddock::cli
