#pragma once
// Tab completion for the shell, as zkCli's JLineZNodeCompleter: the first word completes to
// command names; a word starting with '/' completes to the children of the znode before its
// last '/'. Pure: the children come from a function, so that the rules are tested without a
// server.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::cli {

using list_children = std::function<std::vector<std::string>(const std::string& path)>;

// Candidates for `word`; `first_word` when it is the command's name.
std::vector<std::string> completions(std::string_view word, bool first_word,
                                     const std::vector<std::string>& command_names,
                                     const list_children& children);

} // namespace paddock::cli
