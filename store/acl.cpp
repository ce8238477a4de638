// ACL validation and permission checks, following ZooKeeper 3.8.0's IPAuthenticationProvider,
// DigestAuthenticationProvider, fixupACL and checkACL.
#include "store/acl.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace paddock::store {
namespace {

// Java's Integer.parseInt for ASCII input: optional sign, at least one digit, no overflow.
std::optional<int64_t> java_parse_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
  }
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
    if (v > int64_t{1} << 31) return std::nullopt;
  }
  v = negative ? -v : v;
  if (v > INT32_MAX || v < INT32_MIN) return std::nullopt;
  return v;
}

// v4addr2Bytes: exactly four dot-separated fields (empty ones count), each 0..255.
std::optional<std::array<uint8_t, 4>> v4_bytes(std::string_view s) {
  std::array<uint8_t, 4> out{};
  size_t field = 0;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != '.') continue;
    if (field == 4) return std::nullopt;
    auto v = java_parse_int(s.substr(start, i - start));
    if (!v || *v < 0 || *v > 255) return std::nullopt;
    out[field++] = static_cast<uint8_t>(*v);
    start = i + 1;
  }
  if (field != 4) return std::nullopt;
  return out;
}

void mask(std::array<uint8_t, 4>& bytes, int64_t bits) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    int64_t keep = std::clamp<int64_t>(bits - static_cast<int64_t>(i) * 8, 0, 8);
    bytes[i] &= static_cast<uint8_t>(0xFF00 >> keep);
  }
}

// Java's split("/", 2): at most two parts.
std::pair<std::string_view, std::optional<std::string_view>> split_bits(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return {s, std::nullopt};
  return {s.substr(0, slash), s.substr(slash + 1)};
}

bool is_world_anyone(const jute::id& id) {
  return id.scheme == "world" && id.ident == "anyone";
}

// Providers registered by default whose isAuthenticated() is true: only digest ("ip" is
// false), so "auth" expands to the digest ids only.
bool authenticated_scheme(std::string_view scheme) {
  return scheme == "digest";
}

} // namespace

bool valid_ip_acl_id(std::string_view id) {
  auto [addr, bits] = split_bits(id);
  if (!v4_bytes(addr)) return false;
  if (bits) {
    auto b = java_parse_int(*bits);
    if (!b || *b < 0 || *b > 32) return false;
  }
  return true;
}

bool valid_digest_acl_id(std::string_view id) {
  // String.split(":") drops trailing empty strings; "" splits to [""].
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= id.size(); ++i) {
    if (i == id.size() || id[i] == ':') {
      parts.push_back(id.substr(start, i - start));
      start = i + 1;
    }
  }
  if (id.empty()) return false; // one part
  while (!parts.empty() && parts.back().empty())
    parts.pop_back();
  return parts.size() == 2;
}

bool ip_matches(std::string_view client_ip, std::string_view acl_expr) {
  auto [addr, bits_text] = split_bits(acl_expr);
  auto acl_addr = v4_bytes(addr);
  if (!acl_addr) return false;
  int64_t bits = 32;
  if (bits_text) {
    auto b = java_parse_int(*bits_text);
    if (!b || *b < 0 || *b > 32) return false;
    bits = *b;
  }
  auto remote = v4_bytes(client_ip);
  if (!remote) return false;
  mask(*acl_addr, bits);
  mask(*remote, bits);
  return *acl_addr == *remote;
}

jute::error_code fixup_acl(const jute::acl_list& requested, std::span<const jute::id> auth,
                           jute::acl_list& out) {
  out.clear();
  jute::acl_list unique;
  unique.reserve(requested.size());
  for (const auto& a : requested)
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
  if (unique.empty()) return jute::error_code::invalid_acl;
  for (const auto& a : unique) {
    if (is_world_anyone(a.id)) {
      out.push_back(a);
    } else if (a.id.scheme == "auth") {
      bool any = false;
      for (const auto& cid : auth) {
        if (authenticated_scheme(cid.scheme)) {
          out.push_back(jute::acl{a.perms, cid});
          any = true;
        }
      }
      if (!any) return jute::error_code::invalid_acl;
    } else if ((a.id.scheme == "ip" && valid_ip_acl_id(a.id.ident)) ||
               (a.id.scheme == "digest" && valid_digest_acl_id(a.id.ident))) {
      out.push_back(a);
    } else {
      return jute::error_code::invalid_acl;
    }
  }
  return jute::error_code::ok;
}

bool acl_permits(const jute::acl_list& acl, int32_t perm, std::span<const jute::id> auth) {
  if (acl.empty()) return true;
  for (const auto& id : auth)
    if (id.scheme == "super") return true;
  for (const auto& a : acl) {
    if ((a.perms & perm) == 0) continue;
    if (is_world_anyone(a.id)) return true;
    for (const auto& id : auth) {
      if (id.scheme != a.id.scheme) continue;
      if (a.id.scheme == "ip" && ip_matches(id.ident, a.id.ident)) return true;
      if (a.id.scheme == "digest" && id.ident == a.id.ident) return true;
    }
  }
  return false;
}

} // namespace paddock::store
