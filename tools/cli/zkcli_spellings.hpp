#pragma once
// zkCli spells reconfig's options with one dash (-add, -remove, -members, -file); CLI11 reads
// a single dash as a cluster of one-letter flags, so those words become their double-dash
// forms before parsing. Only after the `reconfig` command word, only whole words.
#include <string>
#include <vector>

namespace paddock::cli {

std::vector<std::string> with_zkcli_spellings(std::vector<std::string> args);

} // namespace paddock::cli
