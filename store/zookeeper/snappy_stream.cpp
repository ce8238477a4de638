#include "store/zookeeper/snappy_stream.hpp"

#include "protocol/bytes/byte_order.hpp"

#include <cstdint>
#include <fmt/format.h>
#include <snappy.h>

namespace paddock::store::zookeeper {

namespace {

constexpr std::string_view magic{"\x82SNAPPY\0", 8};
constexpr size_t header_size = 16;          // magic, version, compatible version
constexpr int32_t minimum_version = 1;      // SnappyCodec.MINIMUM_COMPATIBLE_VERSION
constexpr uint32_t magic_head = 0x82534e41; // the magic's first 4 bytes read as a length

// A stream header at `at`: the magic, and a version snappy-java accepts (it does not look at
// the compatible version).
bool check_header(std::string_view in, size_t at, std::string& error) {
  const auto have = in.substr(at, header_size);
  if (have.substr(0, magic.size()) != magic.substr(0, have.size())) {
    error = fmt::format("no snappy-java stream header at offset {} (magic \\x82SNAPPY\\0)", at);
    return false;
  }
  if (have.size() < header_size) {
    error = fmt::format("truncated: a snappy-java header at offset {} has {} of its {} bytes", at,
                        have.size(), header_size);
    return false;
  }
  const auto version = static_cast<int32_t>(bytes::load_be32(in.data() + at + 8));
  if (version < minimum_version) {
    error = fmt::format("snappy-java stream version {} at offset {} (at least {} is read)", version,
                        at, minimum_version);
    return false;
  }
  return true;
}

} // namespace

bool unsnappy_java(std::string_view in, std::string& out, std::string& error, size_t max_output) {
  if (in.empty()) {
    error = "empty (no snappy-java header)";
    return false;
  }
  if (!check_header(in, 0, error)) return false;
  std::string result;
  size_t at = header_size;
  size_t blocks = 0;
  while (at < in.size()) {
    // snappy-java's reader takes 1 to 3 stray bytes for the end of the stream; its writer
    // never leaves them, so here they are damage (a file cut short), not an end.
    if (in.size() - at < 4) {
      error = fmt::format("truncated: {} stray bytes at offset {} after block {}, too few for a "
                          "block length",
                          in.size() - at, at, blocks);
      return false;
    }
    const uint32_t field = bytes::load_be32(in.data() + at);
    // Another stream appended. snappy-java quietly ends the stream when the rest of such a
    // header is not the magic; no writer makes that, so here it is damage.
    if (field == magic_head) {
      if (!check_header(in, at, error)) return false;
      at += header_size;
      continue;
    }
    const auto length = static_cast<int32_t>(field);
    if (length <= 0) {
      error = fmt::format("block {} at offset {} has length {}", blocks + 1, at, length);
      return false;
    }
    const size_t body_at = at + 4;
    if (static_cast<size_t>(length) > in.size() - body_at) {
      error = fmt::format("truncated: block {} at offset {} says {} bytes, {} remain", blocks + 1,
                          at, length, in.size() - body_at);
      return false;
    }
    const char* block = in.data() + body_at;
    size_t raw_length = 0;
    // Validated before the output grows by the length the block claims: a damaged varint
    // could claim gigabytes.
    if (!snappy::GetUncompressedLength(block, length, &raw_length) ||
        !snappy::IsValidCompressedBuffer(block, length)) {
      error = fmt::format("block {} at offset {} is not valid snappy data", blocks + 1, at);
      return false;
    }
    if (raw_length > max_output - result.size()) {
      error = fmt::format("decompresses to more than {} bytes", max_output);
      return false;
    }
    const size_t before = result.size();
    result.resize(before + raw_length);
    if (!snappy::RawUncompress(block, length, result.data() + before)) {
      error = fmt::format("block {} at offset {} does not decompress", blocks + 1, at);
      return false;
    }
    ++blocks;
    at = body_at + static_cast<size_t>(length);
  }
  out = std::move(result);
  return true;
}

} // namespace paddock::store::zookeeper
