#include "tools/cli/zkcli_spellings.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace paddock::cli {

std::vector<std::string> with_zkcli_spellings(std::vector<std::string> args) {
  static constexpr std::array<std::string_view, 4> words = {"-add", "-remove", "-members", "-file"};
  auto command = std::find(args.begin(), args.end(), "reconfig");
  if (command == args.end()) return args;
  for (auto it = command + 1; it != args.end(); ++it)
    if (std::find(words.begin(), words.end(), *it) != words.end()) *it = "-" + *it;
  return args;
}

} // namespace paddock::cli
