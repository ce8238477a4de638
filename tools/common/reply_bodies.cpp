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

std::optional<children_with_stat> decode_children2(std::string_view body) {
  jute::reader r(body);
  children_with_stat out;
  int32_t count = r.read_count(4);
  for (int32_t i = 0; i < count && r.ok(); ++i)
    out.children.push_back(r.read_string());
  jute::read_stat(r, out.stat);
  if (!r.ok()) return std::nullopt;
  return out;
}

std::optional<acl_reply> decode_get_acl(std::string_view body) {
  jute::reader r(body);
  acl_reply out;
  // An ACL is at least perms and two string lengths.
  int32_t count = r.read_count(12);
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    jute::acl a;
    a.perms = r.read_int();
    a.id.scheme = r.read_string();
    a.id.ident = r.read_string();
    out.acls.push_back(std::move(a));
  }
  jute::read_stat(r, out.stat);
  if (!r.ok()) return std::nullopt;
  return out;
}

std::optional<int32_t> decode_all_children_number(std::string_view body) {
  jute::reader r(body);
  int32_t n = r.read_int();
  if (!r.ok()) return std::nullopt;
  return n;
}

std::optional<std::vector<client_info>> decode_who_am_i(std::string_view body) {
  jute::reader r(body);
  std::vector<client_info> out;
  int32_t count = r.read_count(8);
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    client_info c;
    c.auth_scheme = r.read_string();
    c.user = r.read_string();
    out.push_back(std::move(c));
  }
  if (!r.ok()) return std::nullopt;
  return out;
}

} // namespace paddock::tools
