#include "tools/cli/command_line.hpp"

#include <cctype>

namespace paddock::cli {

std::optional<std::string> parsed_command::value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> split_line(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  auto blank = [&](size_t at) { return std::isspace(static_cast<unsigned char>(line[at])) != 0; };
  while (i < line.size()) {
    while (i < line.size() && blank(i))
      ++i;
    if (i >= line.size()) break;
    char quote = line[i];
    if (quote == '"' || quote == '\'') {
      auto close = line.find(quote, i + 1);
      if (close != std::string_view::npos) {
        words.emplace_back(line.substr(i + 1, close - i - 1));
        i = close + 1;
        continue;
      }
      // An unclosed quote: zkCli's pattern skips the quote and reads on as a plain word.
      ++i;
      if (i >= line.size() || blank(i)) continue;
    }
    size_t start = i;
    while (i < line.size() && !blank(i))
      ++i;
    words.emplace_back(line.substr(start, i - start));
  }
  return words;
}

namespace {

const option_spec* find(const std::vector<option_spec>& options, std::string_view name) {
  for (const auto& o : options) {
    if (o.name == name) return &o;
    for (const auto& a : o.aliases)
      if (a == name) return &o;
  }
  return nullptr;
}

bool negative_number(std::string_view word) {
  if (word.size() < 2 || word[0] != '-') return false;
  for (size_t i = 1; i < word.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(word[i])) && word[i] != '.') return false;
  return true;
}

} // namespace

std::variant<parsed_command, std::string> parse_command(const std::vector<std::string>& words,
                                                        const std::vector<option_spec>& options) {
  parsed_command out;
  if (words.empty()) return out;
  out.args.push_back(words[0]);
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--") { // everything after is an argument
      out.args.insert(out.args.end(), words.begin() + static_cast<long>(i) + 1, words.end());
      break;
    }
    if (word.size() < 2 || word[0] != '-' || negative_number(word)) {
      out.args.push_back(word);
      continue;
    }
    std::string_view name(word);
    name.remove_prefix(name.starts_with("--") ? 2 : 1);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      inline_value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
    }
    auto take = [&](const option_spec& spec,
                    std::optional<std::string> given) -> std::optional<std::string> {
      if (!spec.takes_value) {
        out.values[spec.name] = "";
        return std::nullopt;
      }
      if (given) {
        out.values[spec.name] = *given;
        return std::nullopt;
      }
      if (i + 1 >= words.size())
        return "org.apache.commons.cli.MissingArgumentException: Missing argument for option: " +
               spec.name;
      out.values[spec.name] = words[++i];
      return std::nullopt;
    };
    if (const auto* spec = find(options, name)) {
      if (auto why = take(*spec, inline_value)) return *why;
      continue;
    }
    // One dash: "-v3" (an option and its value) or "-sw" (flags together).
    if (!word.starts_with("--") && !inline_value) {
      if (const auto* first = find(options, name.substr(0, 1)); first && first->takes_value) {
        out.values[first->name] = std::string(name.substr(1));
        continue;
      }
      bool all_flags = true;
      for (char c : name) {
        const auto* spec = find(options, std::string_view(&c, 1));
        all_flags = all_flags && spec && !spec->takes_value;
      }
      if (all_flags) {
        for (char c : name)
          out.values[find(options, std::string_view(&c, 1))->name] = "";
        continue;
      }
    }
    return "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: " + word;
  }
  return out;
}

} // namespace paddock::cli
