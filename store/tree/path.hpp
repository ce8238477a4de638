#pragma once
// ZooKeeper's path rules (PathUtils.validatePath) and small path helpers.
#include <cstddef>
#include <string_view>

namespace paddock::store {

// True when `path` is a valid znode path: absolute, no empty, "." or ".." segments, no
// trailing slash (except "/"), no null or disallowed characters, as PathUtils checks them.
// ZooKeeper checks the Java string decoded from the UTF-8 bytes, so: malformed UTF-8 decodes
// to U+FFFD and is rejected; characters outside the Basic Multilingual Plane are surrogate
// pairs in Java and are rejected; U+0001..U+001F, U+007F..U+009F, U+D800..U+F8FF and
// U+FFF0..U+FFFF are rejected.
bool valid_path(std::string_view path);

// A sequential create validates path + "1" instead (the suffix comes later), as ZooKeeper's
// client does. The server itself validates the full name after adding the suffix.
bool valid_sequential_prefix(std::string_view path);

// "/a/b" -> "/a"; "/a" -> "/"; "/" -> "" (the root has no parent).
std::string_view parent_path(std::string_view path);
// "/a/b" -> "b"; "/" -> "".
std::string_view base_name(std::string_view path);

// The length of `s` in UTF-16 code units (Java's String.length()), which is what ZooKeeper
// counts in approximate_data_size. Malformed bytes count one each (Java decodes each to
// U+FFFD).
size_t utf16_length(std::string_view s);

} // namespace paddock::store
