#include "tools/cli/completer.hpp"

#include <algorithm>

namespace paddock::cli {

std::vector<std::string> completions(std::string_view word, bool first_word,
                                     const std::vector<std::string>& command_names,
                                     const list_children& children) {
  std::vector<std::string> out;
  if (first_word) {
    for (const auto& name : command_names)
      if (name.starts_with(word)) out.push_back(name);
  } else if (word.starts_with('/')) {
    auto slash = word.rfind('/');
    std::string parent(word.substr(0, slash == 0 ? 1 : slash));
    std::string_view stem = word.substr(slash + 1);
    std::string prefix(word.substr(0, slash + 1));
    for (const auto& child : children(parent))
      if (std::string_view(child).starts_with(stem)) out.push_back(prefix + child);
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace paddock::cli
