#pragma once
// Splits a TCP byte stream into length-prefixed frames. Bytes go in as they arrive; whole
// frames come out. A length prefix that is negative or over the limit poisons the decoder:
// the connection must be closed (ZooKeeper drops it too; the session survives).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace paddock::jute {

// ZooKeeper's default jute.maxbuffer is 0xfffff (1 MiB - 1). NIOServerCnxn.readLength
// closes the connection when a length prefix is negative or over jute.maxbuffer, so a frame
// of exactly the limit is served and one byte more is not (measured against 3.8: 0xfffff
// served, 0x100000 closed). There is no separate check of znode data: data is bounded only
// by the frame that carries it.
inline constexpr int32_t default_max_buffer = 0xfffff;

class frame_decoder {
public:
  explicit frame_decoder(int32_t max_buffer = default_max_buffer) : max_frame_(max_buffer) {}

  // Appends bytes received from the socket.
  void feed(std::span<const char> bytes);
  void feed(std::string_view bytes) { feed(std::span<const char>(bytes.data(), bytes.size())); }
  void feed(const std::string& bytes) { feed(std::string_view(bytes)); }

  // Takes the next whole frame (without its prefix). The span stays valid until the next
  // call to feed() or next(). Returns false when no whole frame is buffered or on error.
  bool next(std::span<const char>& frame);

  bool failed() const { return failed_; }
  int64_t bad_length() const { return bad_length_; }
  size_t buffered() const { return buf_.size() - pos_; }

private:
  std::string buf_;
  size_t pos_ = 0;
  int64_t max_frame_;
  bool failed_ = false;
  int64_t bad_length_ = 0;
};

} // namespace paddock::jute
