#include "protocol/jute/jute_writer.hpp"

#include "protocol/bytes/byte_order.hpp"

namespace paddock::jute {

void writer::write_int(int32_t v) {
  char b[4];
  bytes::store_be32(b, static_cast<uint32_t>(v));
  out_.append(b, 4);
}

void writer::write_long(int64_t v) {
  char b[8];
  bytes::store_be64(b, static_cast<uint64_t>(v));
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
  bytes::store_be32(out_.data() + frame_start,
                    static_cast<uint32_t>(out_.size() - frame_start - 4));
}

} // namespace paddock::jute
