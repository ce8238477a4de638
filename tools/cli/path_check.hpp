#pragma once
// PathUtils.validatePath: the Java client refuses a bad path before sending it, and zkCli
// prints the reason. Empty when the path is good.
#include <string>
#include <string_view>

namespace paddock::cli {

// `sequential`: the server appends a counter, so a trailing '/' is allowed (as Java checks
// path + "1").
std::string path_problem(std::string_view path, bool sequential = false);

} // namespace paddock::cli
