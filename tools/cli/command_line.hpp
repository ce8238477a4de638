#pragma once
// Reading a command the way zkCli does. A line splits into words on blanks, where a word in
// double or single quotes keeps its blanks and loses its quotes (ZooKeeperMain's
// ARGS_PATTERN). The words after the command name are options and arguments as Apache
// commons-cli's DefaultParser reads them: options anywhere, "-v 3" or "-v3" for an option
// with a value, "-sw" for two flags, a negative number is an argument, an unknown option is
// an error, worded as zkCli prints commons-cli's exception ("org.apache.commons.cli.
// UnrecognizedOptionException: Unrecognized option: -x").
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace paddock::cli {

std::vector<std::string> split_line(std::string_view line);

struct option_spec {
  option_spec(std::string option_name, bool with_value = false,
              std::vector<std::string> other_names = {})
      : name(std::move(option_name)), takes_value(with_value), aliases(std::move(other_names)) {}
  std::string name; // "s", "v", "add": spelled with one dash, or two
  bool takes_value = false;
  std::vector<std::string> aliases; // other spellings of the same option ("stat")
};

struct parsed_command {
  std::vector<std::string> args;             // the command name first, as zkCli's cl.getArgs()
  std::map<std::string, std::string> values; // option name -> value ("" for flags)
  bool has(const std::string& name) const { return values.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
};

// The words of one command (its name first) against its options; the error message when
// they do not parse.
std::variant<parsed_command, std::string> parse_command(const std::vector<std::string>& words,
                                                        const std::vector<option_spec>& options);

} // namespace paddock::cli
