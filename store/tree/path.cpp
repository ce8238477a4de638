// PathUtils.validatePath, applied to the UTF-16 string Java would decode from the bytes.
#include "store/tree/path.hpp"

#include <cstdint>
#include <string>

namespace paddock::store {
namespace {

constexpr char32_t replacement = 0xFFFD; // what Java's decoder yields for malformed input

// Decodes one UTF-8 sequence at s[i], advancing i. Returns U+FFFD for malformed input
// (overlong forms, encoded surrogates, truncated sequences, code points above U+10FFFF),
// as java.lang.String(bytes, UTF_8) does.
char32_t next_code_point(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return replacement;
  }
  if (i + len > s.size()) {
    ++i;
    return replacement;
  }
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return replacement;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += len;
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return replacement;
  return cp;
}

bool disallowed(char32_t c) {
  // Anything above the BMP is a surrogate pair in Java, caught by the D800..F8FF range.
  return (c > 0 && c <= 0x1F) || (c >= 0x7F && c <= 0x9F) || (c >= 0xD800 && c <= 0xF8FF) ||
         (c >= 0xFFF0);
}

} // namespace

bool valid_path(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() == 1) return true; // the root
  if (path.back() == '/') return false;
  // Segment rules: no empty segment, no "." or ".." segment. They involve only ASCII bytes,
  // so checking them on bytes is the same as ZooKeeper checking them on chars.
  size_t seg_start = 1;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      auto seg = path.substr(seg_start, i - seg_start);
      if (seg.empty() || seg == "." || seg == "..") return false;
      seg_start = i + 1;
    }
  }
  for (size_t i = 1; i < path.size();) {
    char32_t c = next_code_point(path, i);
    if (c == 0 || disallowed(c)) return false;
  }
  return true;
}

bool valid_sequential_prefix(std::string_view path) {
  std::string with_suffix(path);
  with_suffix += '1';
  return valid_path(with_suffix);
}

std::string_view parent_path(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos || path == "/") return {};
  if (slash == 0) return path.substr(0, 1);
  return path.substr(0, slash);
}

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return path;
  return path.substr(slash + 1);
}

size_t utf16_length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    n += c >= 0x10000 ? 2 : 1;
  }
  return n;
}

} // namespace paddock::store
