#pragma once
// One JSON object on one line, for paddock-cli --json. Members keep the order they were added
// in; values are rendered when added (strings escaped as RFC 8259 asks).
#include "protocol/jute/data_records.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::cli {

std::string json_string(std::string_view text);
std::string json_strings(const std::vector<std::string>& items); // an array of strings

class json_object {
public:
  json_object& add(std::string_view key, std::string_view text); // a string
  json_object& add(std::string_view key, const char* text) {
    return add(key, std::string_view(text));
  }
  json_object& add(std::string_view key, int64_t number);
  json_object& add(std::string_view key, int32_t number) { return add(key, int64_t{number}); }
  json_object& add(std::string_view key, bool flag);
  json_object& add_raw(std::string_view key, std::string rendered); // already JSON
  bool empty() const { return members_.empty(); }
  std::string render() const;

private:
  std::vector<std::pair<std::string, std::string>> members_;
};

// A Stat with zkCli's field names (cZxid, ctime, ..., numChildren); times in milliseconds.
std::string json_stat(const jute::stat& s);

} // namespace paddock::cli
