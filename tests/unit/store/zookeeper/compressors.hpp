#pragma once
// The writers ZooKeeper compresses its snapshots with, for the readers' round-trip tests:
// gzip through zlib (what java.util.zip.GZIPOutputStream writes: one member), and
// snappy-java's stream format through libsnappy's raw compressor, framed as
// SnappyOutputStream frames it (a 16-byte header, then per block of input a 4-byte
// big-endian length and the raw snappy block).
#include <algorithm>
#include <snappy.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <zlib.h>

namespace paddock::testing::zk {

inline std::string gzip_compress(std::string_view in, int level = Z_DEFAULT_COMPRESSION) {
  z_stream s{};
  if (deflateInit2(&s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&s, in.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  return out;
}

inline void put_be32(std::string& out, uint32_t v) {
  for (int shift : {24, 16, 8, 0})
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

inline std::string snappy_java_header(uint32_t version = 1) {
  std::string out("\x82SNAPPY\0", 8);
  put_be32(out, version);
  put_be32(out, 1); // compatible version
  return out;
}

inline std::string snappy_java_compress(std::string_view in, size_t block_size = 32 * 1024) {
  std::string out = snappy_java_header();
  for (size_t at = 0; at < in.size(); at += block_size) {
    std::string block;
    const auto piece = in.substr(at, std::min(block_size, in.size() - at));
    snappy::Compress(piece.data(), piece.size(), &block);
    put_be32(out, static_cast<uint32_t>(block.size()));
    out += block;
  }
  return out;
}

// Bytes that compress poorly and well in turns, so blocks differ in size.
inline std::string mixed_bytes(size_t n) {
  std::string out;
  out.reserve(n);
  uint32_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245 + 12345;
    out.push_back((i / 4096) % 2 ? static_cast<char>(x >> 24) : static_cast<char>('a' + i % 7));
  }
  return out;
}

} // namespace paddock::testing::zk
