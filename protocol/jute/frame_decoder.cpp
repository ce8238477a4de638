#include "protocol/jute/frame_decoder.hpp"

#include "protocol/bytes/byte_order.hpp"

namespace paddock::jute {

void frame_decoder::feed(std::span<const char> bytes) {
  if (failed_) return;
  // Drop what the previous frames consumed before appending, so the buffer holds at most
  // one partial frame plus the new bytes and never grows with the connection's lifetime.
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes.data(), bytes.size());
}

bool frame_decoder::next(std::span<const char>& frame) {
  if (failed_ || buf_.size() - pos_ < 4) return false;
  const auto len = static_cast<int32_t>(bytes::load_be32(buf_.data() + pos_));
  if (len < 0 || len > max_frame_) {
    failed_ = true;
    bad_length_ = len;
    return false;
  }
  if (buf_.size() - pos_ - 4 < static_cast<size_t>(len)) return false;
  frame = std::span<const char>(buf_.data() + pos_ + 4, static_cast<size_t>(len));
  pos_ += 4 + static_cast<size_t>(len);
  return true;
}

} // namespace paddock::jute
