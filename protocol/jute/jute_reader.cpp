#include "protocol/jute/jute_reader.hpp"

#include "protocol/bytes/byte_order.hpp"

namespace paddock::jute {

bool reader::take(size_t n, const char** out) {
  if (!ok_ || data_.size() - pos_ < n) {
    ok_ = false;
    return false;
  }
  *out = data_.data() + pos_;
  pos_ += n;
  return true;
}

int32_t reader::read_int() {
  const char* p = nullptr;
  if (!take(4, &p)) return 0;
  return static_cast<int32_t>(bytes::load_be32(p));
}

int64_t reader::read_long() {
  const char* p = nullptr;
  if (!take(8, &p)) return 0;
  return static_cast<int64_t>(bytes::load_be64(p));
}

bool reader::read_bool() {
  const char* p = nullptr;
  if (!take(1, &p)) return false;
  return *p != 0;
}

std::string reader::read_buffer(bool* was_null) {
  const int32_t len = read_int();
  if (was_null) *was_null = len < 0;
  // jute writes -1 for null; any other negative length is garbage.
  if (len < -1) fail();
  if (len <= 0 || !ok_) return {};
  const char* p = nullptr;
  if (!take(static_cast<size_t>(len), &p)) return {};
  return std::string(p, static_cast<size_t>(len));
}

int32_t reader::read_count(size_t min_element_size) {
  const int32_t n = read_int();
  if (!ok_ || n < 0) {
    if (n < -1) fail();
    return 0;
  }
  // A count that cannot fit in what is left is garbage; refusing it here keeps a hostile
  // frame from making us reserve gigabytes.
  if (min_element_size > 0 && static_cast<uint64_t>(n) * min_element_size > remaining()) {
    fail();
    return 0;
  }
  return n;
}

} // namespace paddock::jute
