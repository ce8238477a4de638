#pragma once
// The snapshot format's writing side (store/disk/snapshot.hpp describes the format), shared by
// the one-shot writers (write_snapshot, serialize_snapshot) and snapshot_stream, which
// produces the same bytes a slice at a time. Internal to store/disk.
#include "store/disk/io_status.hpp"
#include "store/tree/data_tree.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace google::protobuf {
class MessageLite;
}

namespace paddock::store::snapshot_frames {

inline constexpr std::string_view magic = "PDKSNAP1";
inline constexpr size_t frame_header_size = 9;
inline constexpr uint32_t max_frame_body = 64u << 20;
inline constexpr size_t io_chunk = 1 << 20;

enum kind : uint8_t { header = 1, acl_list = 2, node = 3, session = 4, trailer = 5 };

// Encodes the frames of one snapshot, in order, into a buffer handed to `sink` in large
// chunks (a file, a string), keeping the counts and the running CRC the trailer needs.
class encoder {
public:
  using sink = std::function<io_status(std::string_view)>;
  explicit encoder(sink out); // writes the magic
  ~encoder();
  encoder(const encoder&) = delete;
  encoder& operator=(const encoder&) = delete;

  io_status header(int64_t zxid);
  io_status acl(uint32_t ref, const jute::acl_list& acls);
  io_status node(const znode_image& img);
  io_status session(const session_entry& s);
  io_status trailer(); // the counts so far and the CRC of every byte before it; flushes
  io_status flush();   // hands what is buffered to the sink

private:
  struct messages; // the Protobuf messages, reused frame after frame
  io_status add(kind k, const google::protobuf::MessageLite& msg);
  uint32_t file_crc() const;

  sink out_;
  std::string buf_;
  uint32_t file_crc_ = 0;
  uint64_t acl_lists_ = 0, nodes_ = 0, sessions_ = 0;
  std::unique_ptr<messages> msgs_;
};

} // namespace paddock::store::snapshot_frames
