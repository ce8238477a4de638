// ACL validation and permission checks, following ZooKeeper 3.8.0's IPAuthenticationProvider,
// DigestAuthenticationProvider, fixupACL and checkACL.
#include "store/tree/acl.hpp"

#include "protocol/jute/opcodes.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace paddock::store {
namespace {

// An address of either family: 4 bytes (IPv4, and IPv4-mapped IPv6) or 16.
struct ip_bytes {
  std::array<uint8_t, 16> bytes{};
  size_t size = 0;
  bool operator==(const ip_bytes& o) const {
    return size == o.size && std::memcmp(bytes.data(), o.bytes.data(), size) == 0;
  }
};

std::pair<std::string_view, std::optional<std::string_view>> split_bits(std::string_view s);
std::optional<ip_bytes> parse_ip(std::string_view s);

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
std::optional<ip_bytes> v4_bytes(std::string_view s) {
  ip_bytes out;
  out.size = 4;
  size_t field = 0;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != '.') continue;
    if (field == 4) return std::nullopt;
    auto v = java_parse_int(s.substr(start, i - start));
    if (!v || *v < 0 || *v > 255) return std::nullopt;
    out.bytes[field++] = static_cast<uint8_t>(*v);
    start = i + 1;
  }
  if (field != 4) return std::nullopt;
  return out;
}

// An IPv6 literal as inet_pton reads it (no brackets, no zone). IPv4-mapped addresses
// (::ffff:a.b.c.d) come back as the IPv4 address: a server listening on all addresses sees
// IPv4 clients that way, and Java hands ZooKeeper such a client as an Inet4Address.
std::optional<ip_bytes> v6_bytes(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char text[INET6_ADDRSTRLEN];
  std::memcpy(text, s.data(), s.size());
  text[s.size()] = '\0';
  ip_bytes out;
  if (::inet_pton(AF_INET6, text, out.bytes.data()) != 1) return std::nullopt;
  static constexpr uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(out.bytes.data(), mapped_prefix, sizeof mapped_prefix) == 0) {
    std::memmove(out.bytes.data(), out.bytes.data() + 12, 4);
    out.size = 4;
  } else {
    out.size = 16;
  }
  return out;
}

void mask(ip_bytes& ip, int64_t bits) {
  for (size_t i = 0; i < ip.size; ++i) {
    int64_t keep = std::clamp<int64_t>(bits - static_cast<int64_t>(i) * 8, 0, 8);
    ip.bytes[i] &= static_cast<uint8_t>(0xFF00 >> keep);
  }
}

// An ACL id "addr" or "addr/bits": the address, masked to its prefix. nullopt when malformed:
// not an address, bits not an integer, or outside 0..32 (IPv4) / 0..128 (IPv6).
std::optional<ip_bytes> ip_prefix(std::string_view expr, int64_t& bits) {
  auto [addr, bits_text] = split_bits(expr);
  auto acl_addr = parse_ip(addr);
  if (!acl_addr) return std::nullopt;
  const auto max_bits = static_cast<int64_t>(acl_addr->size) * 8;
  bits = max_bits;
  if (bits_text) {
    auto b = java_parse_int(*bits_text);
    if (!b || *b < 0 || *b > max_bits) return std::nullopt;
    bits = *b;
  }
  mask(*acl_addr, bits);
  return acl_addr;
}

// IPv6 when it has a colon (no IPv4 literal has one), else IPv4.
std::optional<ip_bytes> parse_ip(std::string_view s) {
  return s.find(':') == std::string_view::npos ? v4_bytes(s) : v6_bytes(s);
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

// Providers whose isAuthenticated() is true: digest, sasl and x509 ("ip" is false), so
// "auth" expands to those ids only.
bool authenticated_scheme(std::string_view scheme) {
  return scheme == "digest" || scheme == "sasl" || scheme == "x509";
}

// ZooKeeper's X509AuthenticationProvider.isValid: the id parses as an X.500 name; here, at
// least that it is a non-empty list of type=value pairs.
bool valid_x509_acl_id(std::string_view id) {
  return !id.empty() && id.find('=') != std::string_view::npos && id.front() != '=';
}

} // namespace

bool valid_ip_acl_id(std::string_view id) {
  int64_t bits = 0;
  return ip_prefix(id, bits).has_value();
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

bool valid_sasl_acl_id(std::string_view id) {
  const auto at = id.find('@');
  if (at == std::string_view::npos) return true;
  const auto realm = id.substr(at + 1);
  const auto before = id.substr(0, at);
  const auto slash = before.find('/');
  return realm.find_first_of("/@") == std::string_view::npos &&
         (slash == std::string_view::npos ||
          before.substr(slash + 1).find('/') == std::string_view::npos);
}

bool ip_matches(std::string_view client_ip, std::string_view acl_expr) {
  int64_t bits = 0;
  auto acl_addr = ip_prefix(acl_expr, bits);
  if (!acl_addr) return false;
  auto remote = parse_ip(client_ip);
  // Families differ: an IPv4 client never matches an IPv6 prefix, nor the reverse (a
  // mapped client was turned into IPv4 by parse_ip).
  if (!remote || remote->size != acl_addr->size) return false;
  mask(*remote, bits);
  return *remote == *acl_addr;
}

std::string client_ip_identity(std::string_view address) {
  if (address.find(':') == std::string_view::npos) return std::string(address);
  auto ip = v6_bytes(address);
  if (!ip) return std::string(address); // a zone suffix, say: keep what the socket said
  char text[40];
  if (ip->size == 4) {
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", ip->bytes[0], ip->bytes[1], ip->bytes[2],
                  ip->bytes[3]);
    return text;
  }
  // Inet6Address.getHostAddress: eight hex groups, no leading zeros, no "::".
  int n = 0;
  for (size_t g = 0; g < 8; ++g)
    n += std::snprintf(text + n, sizeof text - static_cast<size_t>(n), g ? ":%x" : "%x",
                       (ip->bytes[2 * g] << 8) | ip->bytes[2 * g + 1]);
  return text;
}

bool world_readable(const jute::acl_list& acl) {
  if (acl.empty()) return true;
  return std::any_of(acl.begin(), acl.end(), [](const jute::acl& a) {
    return (a.perms & jute::perms::read) != 0 && is_world_anyone(a.id);
  });
}

bool may_see_event(const jute::acl_list* node_acl, std::span<const jute::id> auth) {
  return node_acl == nullptr || acl_permits(*node_acl, jute::perms::read, auth);
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
               (a.id.scheme == "digest" && valid_digest_acl_id(a.id.ident)) ||
               (a.id.scheme == "sasl" && valid_sasl_acl_id(a.id.ident)) ||
               (a.id.scheme == "x509" && valid_x509_acl_id(a.id.ident))) {
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
      if (a.id.scheme == "sasl" && id.ident == a.id.ident) return true;
      if (a.id.scheme == "x509" && id.ident == a.id.ident) return true;
    }
  }
  return false;
}

} // namespace paddock::store
