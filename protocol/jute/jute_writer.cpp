#include "protocol/jute/jute_writer.hpp"

namespace paddock::jute {

void writer::write_int(int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  const char b[4] = {static_cast<char>(u >> 24), static_cast<char>(u >> 16),
                     static_cast<char>(u >> 8), static_cast<char>(u)};
  out_.append(b, 4);
}

void writer::write_long(int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  char b[8];
  for (int i = 0; i < 8; ++i)
    b[i] = static_cast<char>(u >> (56 - 8 * i));
  out_.append(b, 8);
}

void writer::write_buffer(std::string_view bytes) {
  write_int(static_cast<int32_t>(bytes.size()));
  out_.append(bytes.data(), bytes.size());
}

size_t writer::begin_frame() {
  const size_t start = out_.size();
  out_.append(4, '\0');
  return start;
}

void writer::end_frame(size_t frame_start) {
  const auto len = static_cast<uint32_t>(out_.size() - frame_start - 4);
  out_[frame_start] = static_cast<char>(len >> 24);
  out_[frame_start + 1] = static_cast<char>(len >> 16);
  out_[frame_start + 2] = static_cast<char>(len >> 8);
  out_[frame_start + 3] = static_cast<char>(len);
}

} // namespace paddock::jute
