#pragma once
// Appends jute's binary encoding (BinaryOutputArchive) to a byte buffer:
// big-endian int/long, bool as one byte, buffer/string as int length (-1 = null) + bytes,
// vector as int count (-1 = null) + elements.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace paddock::jute {

class writer {
public:
  explicit writer(std::string& out) : out_(out) {}

  void write_int(int32_t v);
  void write_long(int64_t v);
  void write_bool(bool v) { out_.push_back(v ? 1 : 0); }
  void write_buffer(std::string_view bytes); // also ustring
  void write_string(std::string_view s) { write_buffer(s); }
  void write_null_buffer() { write_int(-1); }
  // Java's null byte[] (ZooKeeper's null znode data) is -1, apart from an empty buffer.
  void write_buffer(std::string_view bytes, bool is_null) {
    is_null ? write_null_buffer() : write_buffer(bytes);
  }

  // Frames: reserve a 4-byte length prefix, write the body, then patch the prefix.
  size_t begin_frame();
  void end_frame(size_t frame_start);

  std::string& buffer() { return out_; }

private:
  std::string& out_;
};

} // namespace paddock::jute
