#include "tools/common/reply_bodies.hpp"

#include "protocol/jute/codec.hpp"

namespace paddock::tools {

std::optional<get_data_reply> decode_get_data(std::string_view body) {
  jute::reader r(body);
  get_data_reply out;
  out.data = r.read_buffer(&out.data_is_null);
  jute::read_stat(r, out.stat);
  if (!r.ok()) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> decode_children(std::string_view body) {
  jute::reader r(body);
  // Each child is at least a 4-byte length prefix.
  int32_t count = r.read_count(4);
  std::vector<std::string> children;
  children.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count && r.ok(); ++i)
    children.push_back(r.read_string());
  if (!r.ok()) return std::nullopt;
  return children;
}

std::optional<std::string> decode_create(std::string_view body) {
  jute::reader r(body);
  auto path = r.read_string();
  if (!r.ok()) return std::nullopt;
  return path;
}

std::optional<jute::stat> decode_stat_reply(std::string_view body) {
  jute::reader r(body);
  jute::stat s;
  jute::read_stat(r, s);
  if (!r.ok()) return std::nullopt;
  return s;
}

} // namespace paddock::tools
