#include "tools/cli/json_line.hpp"

#include "protocol/admin/json.hpp"

namespace paddock::cli {

// The AdminServer's escaping: one JSON writer's rules for both.
std::string json_string(std::string_view text) {
  return admin::json_quote(text);
}

std::string json_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += json_string(items[i]);
  }
  return out + "]";
}

json_object& json_object::add(std::string_view key, std::string_view text) {
  return add_raw(key, json_string(text));
}

json_object& json_object::add(std::string_view key, int64_t number) {
  return add_raw(key, std::to_string(number));
}

json_object& json_object::add(std::string_view key, bool flag) {
  return add_raw(key, flag ? "true" : "false");
}

json_object& json_object::add_raw(std::string_view key, std::string rendered) {
  members_.emplace_back(std::string(key), std::move(rendered));
  return *this;
}

std::string json_object::render() const {
  std::string out = "{";
  for (size_t i = 0; i < members_.size(); ++i) {
    if (i) out += ',';
    out += json_string(members_[i].first);
    out += ':';
    out += members_[i].second;
  }
  return out + "}";
}

std::string json_stat(const jute::stat& s) {
  return json_object()
      .add("cZxid", s.czxid)
      .add("ctime", s.ctime)
      .add("mZxid", s.mzxid)
      .add("mtime", s.mtime)
      .add("pZxid", s.pzxid)
      .add("cversion", s.cversion)
      .add("dataVersion", s.version)
      .add("aclVersion", s.aversion)
      .add("ephemeralOwner", s.ephemeral_owner)
      .add("dataLength", s.data_length)
      .add("numChildren", s.num_children)
      .render();
}

} // namespace paddock::cli
