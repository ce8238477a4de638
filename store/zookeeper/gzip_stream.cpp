#include "store/zookeeper/gzip_stream.hpp"

#include <algorithm>
#include <climits>
#include <fmt/format.h>
#include <zlib.h>

namespace paddock::store::zookeeper {

namespace {

// gzip only (no zlib or raw deflate): 16 + the largest window.
constexpr int gzip_window_bits = 16 + MAX_WBITS;
constexpr size_t min_growth = 64 * 1024;

bool starts_a_member(std::string_view rest) {
  return rest.size() >= 2 && static_cast<unsigned char>(rest[0]) == 0x1f &&
         static_cast<unsigned char>(rest[1]) == 0x8b;
}

// inflateEnd on every path out.
class inflater {
public:
  inflater() { ok_ = inflateInit2(&stream_, gzip_window_bits) == Z_OK; }
  ~inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  inflater(const inflater&) = delete;
  inflater& operator=(const inflater&) = delete;

  bool ok() const { return ok_; }
  z_stream& stream() { return stream_; }

private:
  z_stream stream_{};
  bool ok_ = false;
};

} // namespace

bool gunzip(std::string_view in, std::string& out, std::string& error, size_t max_output) {
  if (!starts_a_member(in)) {
    error = in.empty() ? "empty (no gzip header)" : "not gzip (no 1f 8b magic at the start)";
    return false;
  }
  inflater z;
  if (!z.ok()) {
    error = "zlib cannot start an inflater";
    return false;
  }
  z_stream& s = z.stream();
  std::string result;
  size_t consumed = 0; // input handed to zlib and used
  size_t produced = 0;
  size_t members = 0;
  for (;;) {
    // zlib counts in 32-bit uInt: feed and drain in pieces it can count.
    if (s.avail_in == 0 && consumed < in.size()) {
      const size_t piece = std::min<size_t>(in.size() - consumed, UINT_MAX);
      s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed));
      s.avail_in = static_cast<uInt>(piece);
    }
    if (result.size() == produced) {
      // One byte past the bound is room enough to tell "exactly max_output" from "more".
      const size_t left = max_output - produced;
      const size_t bound = left == static_cast<size_t>(-1) ? left : left + 1;
      result.resize(produced + std::min(std::max(min_growth, produced / 2), bound));
    }
    const size_t room = std::min<size_t>(result.size() - produced, UINT_MAX);
    s.next_out = reinterpret_cast<Bytef*>(result.data() + produced);
    s.avail_out = static_cast<uInt>(room);
    const uInt avail_in_before = s.avail_in;
    const int rc = inflate(&s, Z_NO_FLUSH);
    consumed += avail_in_before - s.avail_in;
    produced += room - s.avail_out;
    if (produced > max_output) {
      error = fmt::format("inflates to more than {} bytes", max_output);
      return false;
    }
    if (rc == Z_STREAM_END) {
      ++members;
      // zlib stops at the member's end: `consumed` is where whatever follows it starts.
      if (!starts_a_member(in.substr(consumed))) break;
      if (inflateReset(&s) != Z_OK) {
        error = "zlib cannot reset its inflater";
        return false;
      }
      s.next_in = nullptr;
      s.avail_in = 0;
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && s.avail_out == 0) continue; // only the output was full
    if (rc == Z_BUF_ERROR && consumed == in.size()) {
      error = fmt::format("truncated: the input ends inside gzip member {} (after {} input "
                          "bytes, {} inflated)",
                          members + 1, in.size(), produced);
      return false;
    }
    error = fmt::format("gzip member {} is damaged at input offset {} ({})", members + 1, consumed,
                        s.msg ? s.msg : zError(rc));
    return false;
  }
  result.resize(produced);
  out = std::move(result);
  return true;
}

} // namespace paddock::store::zookeeper
