#pragma once
// Reads jute's binary encoding from a byte span without copying until a value is taken.
// Every read is bounds-checked; the first failure latches ok() to false and later reads
// return zero values, so decoders check once at the end.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace paddock::jute {

class reader {
public:
  explicit reader(std::span<const char> bytes) : data_(bytes) {}
  explicit reader(std::string_view bytes) : data_(bytes.data(), bytes.size()) {}
  explicit reader(const std::string& bytes) : reader(std::string_view(bytes)) {}

  int32_t read_int();
  int64_t read_long();
  bool read_bool();
  // A buffer or ustring. A null (-1) reads as empty; `was_null` reports it when asked.
  std::string read_buffer(bool* was_null = nullptr);
  std::string read_string() { return read_buffer(); }
  // A vector's element count; negative (null) reads as 0. Fails on a count that cannot
  // possibly fit in what is left (each element takes at least `min_element_size` bytes).
  int32_t read_count(size_t min_element_size = 1);

  bool ok() const { return ok_; }
  void fail() { ok_ = false; }
  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  bool at_end() const { return remaining() == 0; }

private:
  bool take(size_t n, const char** out);
  std::span<const char> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

} // namespace paddock::jute
